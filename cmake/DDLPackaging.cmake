#===- DDLPackaging.cmake - the install tree, CMake package and .debs -----===#
#
# `cmake --install build --prefix P` lays out:
#
#   bin/        ddlc, ddl-opt, ddl-run, ddl-tune
#   lib/        libddl_compiler.so (+ .so.0), libddl_runtime.so (+ .so.0),
#               libddl_runtime.a, ddl/rocm-toolkit/ (ld.lld and the ROCm
#               device libraries, as links to Debian's)
#   lib/cmake/DDL/            find_package(DDL CONFIG): DDL::Compiler,
#                             DDL::Runtime, DDL::RuntimeStatic
#   lib/pkgconfig/ddl_runtime.pc
#   include/    ddl/ (C++ API), ddl-c/ (C API), ddl_runtime.h,
#               ddl_model_abi.h, ddl/dialects/<d>/ (dialect headers, .td,
#               generated .h.inc)
#
# Nothing installed names the build or source tree: the tools and the
# library find each other through $ORIGIN, the package and the .pc file
# through their own location. System paths (Debian's LLVM 22, ld.lld, the
# CUDA toolkit) stay absolute.
#
# Components, which are also the .debs `cpack -G DEB` writes (in the build
# folder, or -B elsewhere):
#   runtime  -> libddl-runtime   the runtime's shared library
#   compiler -> ddl              the compiler library and the tools
#   dev      -> ddl-dev          headers, CMake package, .pc, static runtime
#
# test/packaging/ installs into a scratch prefix, builds the embedder
# examples (examples/embedding/) against it, and checks the .debs.
#
#===----------------------------------------------------------------------===#

if(DDL_PORTABLE_TOOLS)
  # A portable bundle is made by scripts/portable-tools.sh, not installed.
  return()
endif()

include(CMakePackageConfigHelpers)

set(DDL_CMAKE_PACKAGE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/DDL)

# The installed tools find libddl_compiler.so beside them in ../lib, and
# both find Debian's libMLIR.so (which is not on the default search path).
set_target_properties(ddlc ddl-opt PROPERTIES INSTALL_RPATH
  "\$ORIGIN/../${CMAKE_INSTALL_LIBDIR};${LLVM_LIBRARY_DIR}")
set_target_properties(ddl_compiler PROPERTIES INSTALL_RPATH
  "${LLVM_LIBRARY_DIR}")
set_target_properties(ddl_compiler PROPERTIES EXPORT_NAME Compiler)
set_target_properties(ddl_runtime PROPERTIES EXPORT_NAME Runtime)
set_target_properties(ddl_runtime_static PROPERTIES EXPORT_NAME RuntimeStatic)

install(TARGETS ddlc ddl-opt ddl-run ddl-tune
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT compiler)
install(TARGETS ddl_compiler EXPORT DDLCompilerTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT compiler
          NAMELINK_COMPONENT dev)
install(TARGETS ddl_runtime EXPORT DDLRuntimeTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime
          NAMELINK_COMPONENT dev)
install(TARGETS ddl_runtime_static EXPORT DDLRuntimeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
# The ROCm toolkit folder holds symbolic links to Debian's files.
install(DIRECTORY ${DDL_ROCM_TOOLKIT}/
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/ddl/rocm-toolkit COMPONENT compiler
  USE_SOURCE_PERMISSIONS)

# Headers: the public C++ and C APIs, the runtime's, and the dialects'
# (their .td and generated .h.inc), which include each other as
# "dialects/<d>/...": DDL::Compiler puts include/ddl on the path for them.
install(DIRECTORY ${CMAKE_SOURCE_DIR}/include/ddl ${CMAKE_SOURCE_DIR}/include/ddl-c
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
install(FILES ${CMAKE_SOURCE_DIR}/runtime/include/ddl_runtime.h
              ${CMAKE_SOURCE_DIR}/runtime/include/ddl_model_abi.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev)
foreach(dialect attn lowbit nn sched)
  install(DIRECTORY ${CMAKE_SOURCE_DIR}/dialects/${dialect}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ddl/dialects/${dialect}
    COMPONENT dev FILES_MATCHING PATTERN "*.h" PATTERN "*.td")
  install(DIRECTORY ${CMAKE_BINARY_DIR}/dialects/${dialect}/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ddl/dialects/${dialect}
    COMPONENT dev FILES_MATCHING PATTERN "*.h.inc"
    PATTERN "CMakeFiles" EXCLUDE)
endforeach()

# The CMake package.
install(EXPORT DDLCompilerTargets NAMESPACE DDL::
  FILE DDLCompilerTargets.cmake DESTINATION ${DDL_CMAKE_PACKAGE_DIR}
  COMPONENT dev)
install(EXPORT DDLRuntimeTargets NAMESPACE DDL::
  FILE DDLRuntimeTargets.cmake DESTINATION ${DDL_CMAKE_PACKAGE_DIR}
  COMPONENT dev)
set(DDL_INSTALLED_MLIR_DIR ${MLIR_DIR})
configure_package_config_file(
  ${CMAKE_SOURCE_DIR}/cmake/package/DDLConfig.cmake.in
  ${CMAKE_BINARY_DIR}/package/DDLConfig.cmake
  INSTALL_DESTINATION ${DDL_CMAKE_PACKAGE_DIR})
write_basic_package_version_file(
  ${CMAKE_BINARY_DIR}/package/DDLConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/package/DDLConfig.cmake
              ${CMAKE_BINARY_DIR}/package/DDLConfigVersion.cmake
  DESTINATION ${DDL_CMAKE_PACKAGE_DIR} COMPONENT dev)
configure_file(${CMAKE_SOURCE_DIR}/cmake/package/ddl_runtime.pc.in
               ${CMAKE_BINARY_DIR}/package/ddl_runtime.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/package/ddl_runtime.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

#===----------------------------------------------------------------------===#
# Debian packages (cpack -G DEB)
#===----------------------------------------------------------------------===#

# ddl_debian_package(<out> <file>): the Debian package that owns <file>
# (after symbolic links), for the Depends fields; empty when dpkg does not
# know it (the .debs then lack that dependency, and the packaging test
# fails on it).
function(ddl_debian_package out file)
  set(${out} "" PARENT_SCOPE)
  if(NOT file OR NOT EXISTS "${file}")
    return()
  endif()
  file(REAL_PATH "${file}" real)
  execute_process(COMMAND dpkg-query -S "${real}"
                  OUTPUT_VARIABLE owner RESULT_VARIABLE status ERROR_QUIET)
  if(NOT status EQUAL 0)
    return()
  endif()
  string(REGEX REPLACE "^([^:,]+).*" "\\1" owner "${owner}")
  string(STRIP "${owner}" owner)
  set(${out} "${owner}" PARENT_SCOPE)
endfunction()

# libonnx and protobuf were found for the ONNX frontend, in its folder.
find_package(ONNX REQUIRED CONFIG)
find_package(Protobuf REQUIRED)
get_target_property(ddl_mlir_library MLIR LOCATION)
get_target_property(ddl_llvm_library LLVM LOCATION)
get_target_property(ddl_onnx_library onnx LOCATION)
get_target_property(ddl_protobuf_library protobuf::libprotobuf LOCATION)
set(ddl_compiler_depends "")
# libxgboost: the cost model (cost-model/).
foreach(file ${ddl_mlir_library} ${ddl_llvm_library} ${ddl_onnx_library}
             ${ddl_protobuf_library} ${DDL_XGBOOST_LIBRARY} ${DDL_LINKER})
  ddl_debian_package(owner "${file}")
  if(owner)
    list(APPEND ddl_compiler_depends ${owner})
  endif()
endforeach()
ddl_debian_package(ddl_mlir_dev "${MLIR_DIR}/MLIRConfig.cmake")
ddl_debian_package(ddl_llvm_dev "${LLVM_DIR}/LLVMConfig.cmake")
list(REMOVE_DUPLICATES ddl_compiler_depends)
string(REPLACE ";" ", " ddl_compiler_depends "${ddl_compiler_depends}")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ddl)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "the ddl project")
set(CPACK_PACKAGE_CONTACT "ddl maintainers <ddl@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "MLIR-based ahead-of-time deep-learning compiler")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_COMPONENTS_ALL runtime compiler dev)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(ddl_deb_version "${PROJECT_VERSION}")

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libddl-runtime)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libc6 (>= 2.34)")
set(CPACK_COMPONENT_RUNTIME_DESCRIPTION
    "ddl's C runtime: loads and runs models compiled by ddlc")

set(CPACK_DEBIAN_COMPILER_PACKAGE_NAME ddl)
set(CPACK_DEBIAN_COMPILER_PACKAGE_DEPENDS
    "libddl-runtime (= ${ddl_deb_version}), libc6 (>= 2.34), libstdc++6, ${ddl_compiler_depends}")
# compiler-rt's builtins link half-precision x86-64 models.
set(CPACK_DEBIAN_COMPILER_PACKAGE_RECOMMENDS "libclang-rt-22-dev")
set(CPACK_COMPONENT_COMPILER_DESCRIPTION
    "ddl's compiler (libddl_compiler) and tools: ddlc, ddl-opt, ddl-run, ddl-tune")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME ddl-dev)
set(ddl_dev_depends "ddl (= ${ddl_deb_version}), libddl-runtime (= ${ddl_deb_version})")
foreach(dev ${ddl_mlir_dev} ${ddl_llvm_dev})
  string(APPEND ddl_dev_depends ", ${dev}")
endforeach()
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "${ddl_dev_depends}")
set(CPACK_COMPONENT_DEV_DESCRIPTION
    "ddl's development files: C/C++ headers, CMake package, pkg-config file")

include(CPack)

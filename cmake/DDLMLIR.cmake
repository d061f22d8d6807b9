#===- DDLMLIR.cmake - finding and linking Debian's LLVM/MLIR 22 ----------===#
#
# The one place that knows how ddl finds MLIR and links against it.
#
# Debian's packages ship MLIR both as static archives and as libMLIR.so.
# Linking the static archives into a shared library or a tool that also sees
# libMLIR.so duplicates TypeIDs and command-line options ("option registered
# more than once"), so everything links libMLIR.so + libLLVM.so only.
#
#===----------------------------------------------------------------------===#
if(NOT MLIR_DIR)
  set(MLIR_DIR /usr/lib/llvm-22/lib/cmake/mlir)
endif()
find_package(MLIR REQUIRED CONFIG PATHS ${MLIR_DIR} NO_DEFAULT_PATH)
if(NOT LLVM_VERSION_MAJOR EQUAL 22)
  message(FATAL_ERROR "ddl needs LLVM/MLIR 22, found ${LLVM_PACKAGE_VERSION} at ${MLIR_DIR}")
endif()
message(STATUS "ddl: MLIR ${LLVM_PACKAGE_VERSION} from ${MLIR_DIR}")

list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")
# Debian's MLIRConfig names mlir-tblgen without a path; llvm-14 may also be on
# the machine, so pin the 22 binary explicitly.
set(MLIR_TABLEGEN_EXE "${LLVM_TOOLS_BINARY_DIR}/mlir-tblgen" CACHE FILEPATH "" FORCE)
set(LLVM_TABLEGEN_EXE "${LLVM_TOOLS_BINARY_DIR}/llvm-tblgen" CACHE FILEPATH "" FORCE)
include(TableGen)
include(AddLLVM)
include(AddMLIR)
include(HandleLLVMOptions)

include_directories(SYSTEM ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
link_directories(${LLVM_BUILD_LIBRARY_DIR})
separate_arguments(DDL_LLVM_DEFINITIONS NATIVE_COMMAND ${LLVM_DEFINITIONS})
add_definitions(${DDL_LLVM_DEFINITIONS})

# Debian's LLVM is built without assertions; ddl's own checks must not depend
# on NDEBUG, so user-input validation is always explicit code, never assert().

# Debian ships lit as `lit`, not `llvm-lit`, while LLVMConfig points at the
# latter.
if(NOT LLVM_EXTERNAL_LIT OR NOT EXISTS "${LLVM_EXTERNAL_LIT}")
  set(LLVM_EXTERNAL_LIT "${LLVM_TOOLS_BINARY_DIR}/lit" CACHE FILEPATH "" FORCE)
endif()

# ddl_link_mlir(<target> [PUBLIC|PRIVATE])
# Links <target> against the MLIR and LLVM shared libraries.
function(ddl_link_mlir target)
  set(scope PUBLIC)
  if(ARGC GREATER 1)
    set(scope ${ARGV1})
  endif()
  target_link_libraries(${target} ${scope} MLIR LLVM)
endfunction()

# ddl_add_doc(<td file stem> <output name> <tblgen command> [args...])
# Generates Markdown reference docs from TableGen into build/docs/ under the
# `ddl-docs` target. (add_mlir_doc writes into MLIR's own binary dir, which
# is the system install here.) scripts/gen-docs.sh copies them to docs/, and
# test/lint/docs-current.test fails when the copies are stale.
if(NOT TARGET ddl-docs)
  add_custom_target(ddl-docs)
endif()
function(ddl_add_doc td_stem output_name command)
  set(LLVM_TARGET_DEFINITIONS ${td_stem}.td)
  tablegen(MLIR ${output_name}.md ${command} ${ARGN})
  set(doc_file ${CMAKE_BINARY_DIR}/docs/${output_name}.md)
  add_custom_command(
    OUTPUT ${doc_file}
    COMMAND ${CMAKE_COMMAND} -E copy ${CMAKE_CURRENT_BINARY_DIR}/${output_name}.md ${doc_file}
    DEPENDS ${CMAKE_CURRENT_BINARY_DIR}/${output_name}.md)
  add_custom_target(${output_name}DocGen DEPENDS ${doc_file})
  add_dependencies(ddl-docs ${output_name}DocGen)
endfunction()

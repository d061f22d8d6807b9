#===- ClangToolchain.cmake - the compiler ddl is built with --------------===#
#
# clang-22 + lld from Debian, with ccache when present. Passed to CMake as
# -DCMAKE_TOOLCHAIN_FILE by scripts/build.sh.
#
#===----------------------------------------------------------------------===#
set(CMAKE_C_COMPILER /usr/bin/clang-22)
set(CMAKE_CXX_COMPILER /usr/bin/clang++-22)
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld")
set(CMAKE_SHARED_LINKER_FLAGS_INIT "-fuse-ld=lld")
set(CMAKE_MODULE_LINKER_FLAGS_INIT "-fuse-ld=lld")
find_program(DDL_CCACHE ccache)
if(DDL_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${DDL_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${DDL_CCACHE})
endif()

#===- aarch64-linux-gnu.cmake - cross toolchain for the C runtime --------===#
#
# Debian's gcc-aarch64-linux-gnu + libc6-dev-arm64-cross. Used by
# scripts/build-runtime-aarch64.sh for runtime/standalone (C only: the
# compiler itself is not cross-built). Binaries run here under
# `qemu-aarch64 -L /usr/aarch64-linux-gnu`.
#
#===----------------------------------------------------------------------===#
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
# Lets CMake run test binaries (try_run) and tools through qemu.
find_program(DDL_QEMU_AARCH64 qemu-aarch64)
if(DDL_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${DDL_QEMU_AARCH64} -L /usr/aarch64-linux-gnu)
endif()

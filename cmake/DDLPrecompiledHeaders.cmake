#===- DDLPrecompiledHeaders.cmake - MLIR's headers parsed once per library -===#
#
# Parsing MLIR's dialect headers is most of the time a ddl source file takes
# to compile (about 25 of 27 s for a GPU pass at -O3, measured 2026-12-07):
# each big library's files share one precompiled header of the heavy ones
# (DDLPrecompiledHeaders.h) and of the library's own umbrella header: a
# clean build takes 6.4 minutes on 2 cores (docs/building.md). It only adds
# declarations (the headers are included anyway by most files);
# -DDDL_PRECOMPILED_HEADERS=OFF turns it off, e.g. to check that a file
# includes what it uses.
#
#===----------------------------------------------------------------------===#
option(DDL_PRECOMPILED_HEADERS
  "Compile each big ddl library's files against one precompiled header of MLIR's dialect headers" ON)

# ddl_precompile_mlir_headers(<target> [header ...])
# Gives <target>'s files the precompiled header, with its own extra headers
# (absolute paths).
function(ddl_precompile_mlir_headers target)
  if(NOT DDL_PRECOMPILED_HEADERS)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE
    ${CMAKE_SOURCE_DIR}/cmake/DDLPrecompiledHeaders.h ${ARGN})
endfunction()

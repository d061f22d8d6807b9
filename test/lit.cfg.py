# -*- Python -*-
# lit configuration of the ddl regression suite.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "DDL"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test", ".onnxtxt"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.ddl_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py.in"]

llvm_config.use_default_substitutions()
# FileCheck, not, count and split-file come from LLVM 22's tools folder;
# ddl's own tools from the build.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(["ddl-opt", "ddlc"], [config.ddl_tools_dir])
config.substitutions.append(("%ddl_src_root", config.ddl_src_root))
# Debian's python3: it has the onnx and numpy packages (a pyenv python3 that
# may come first on PATH does not).
config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%ddl_obj_root", config.ddl_obj_root))

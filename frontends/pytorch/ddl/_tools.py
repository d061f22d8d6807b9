"""Where ddl's native parts are: the `ddlc` compiler and the C runtime.

Looked up, in order, in `$DDL_BUILD_DIR` (a ddl build directory, or any
directory with `bin/ddlc` and `lib/libddl_runtime.so`), in the `build/`
directory of the checkout this package sits in (`PYTHONPATH=frontends/pytorch`
after `./scripts/build.sh`), and on `PATH` (an installed ddl, whose runtime
library sits in the `lib/` next to `bin/`: `cmake --install`, or the Debian
packages ddl and libddl-runtime).
"""

import os
import shutil
from pathlib import Path

from .errors import DdlError

_RUNTIME_LIBRARY = "libddl_runtime.so"
_RUNTIME_SONAME = "libddl_runtime.so.0"


def _candidate_roots():
    env = os.environ.get("DDL_BUILD_DIR")
    if env:
        yield Path(env), "$DDL_BUILD_DIR"
        return
    checkout = Path(__file__).resolve().parents[3]
    yield checkout / "build", "the checkout's build/ directory"
    ddlc = shutil.which("ddlc")
    if ddlc:
        yield Path(ddlc).resolve().parent.parent, "PATH"


def _find(relative):
    tried = []
    for root, how in _candidate_roots():
        path = root / relative
        if path.is_file():
            return path
        tried.append(f"{path} ({how})")
    raise DdlError(
        f"cannot find ddl's {relative.name}; tried: {'; '.join(tried) or 'nothing'}. "
        "Build ddl (./scripts/build.sh) or point DDL_BUILD_DIR at a ddl "
        "build directory."
    )


def ddlc_path():
    """The `ddlc` executable."""
    return _find(Path("bin") / "ddlc")


def runtime_library_path():
    """The C runtime, `libddl_runtime.so` (or, where only the Debian package
    libddl-runtime is installed, without ddl-dev's link, its soname)."""
    try:
        return _find(Path("lib") / _RUNTIME_LIBRARY)
    except DdlError:
        try:
            return _find(Path("lib") / _RUNTIME_SONAME)
        except DdlError:
            pass
        raise

#!/bin/sh
# A ddlc that crashes on candidates with M0 = 2 or 3 and hangs on M0 = 1 or 5 (the
# heuristic never picks either), and is the real ddlc otherwise: the tuner
# must record those trials as failed and go on.
real="${REAL_DDLC:?}"
for arg in "$@"; do
  case "$arg" in
    *.sched)
      if grep -q "register = \[[23]," "$arg"; then kill -SEGV $$; fi
      if grep -q "register = \[[15]," "$arg"; then sleep 30; fi ;;
  esac
done
exec "$real" "$@"

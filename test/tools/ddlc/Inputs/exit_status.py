"""Runs a command and prints its stderr, then `exit status N`: lit's `not`
accepts any failure, and ddlc's statuses tell failure kinds apart."""
import subprocess
import sys

proc = subprocess.run(sys.argv[1:], capture_output=True, text=True, errors="replace")
sys.stdout.write(proc.stderr)
print(f"exit status {proc.returncode}")

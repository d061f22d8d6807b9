#!/usr/bin/env bash
# Long libFuzzer campaigns over ddl's readers of untrusted input (issue 17):
#
#   ./scripts/fuzz.sh [--minutes N] [--jobs J] [--no-build] [target ...]
#
# Targets: fuzz-model-descriptor, fuzz-npy, fuzz-onnx-pb, fuzz-onnx-import,
# fuzz-graph-reader, fuzz-schedules (default: all). Each runs N minutes
# (default 30) on J processes (default 1), so up to N x J CPU-minutes (the
# summary line says how many it got on a busy machine), growing its
# corpus in build-asan/fuzz-corpus/<target> from the checked-in seeds in
# test/fuzz/corpus/. Crashes are written to build-asan/fuzz-artifacts/
# <target>/. Prints one summary line per target (executions, coverage,
# corpus size, crashes); exits non-zero if any crashed. Builds the fuzzers
# first (build-asan/, ASan + UBSan, as `DDL_SANITIZERS=full` test.sh does) unless
# --no-build: fuzzers built here and carried to a machine without the build
# tree, in $DDL_ASAN_BUILD_DIR/bin. Jobs log to fuzz-<n>.log in the current
# folder: run targets side by side from different folders. Never part of
# the test command: test/fuzz/fuzzers-{runtime,compiler}.test are the short runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
asan_build=${DDL_ASAN_BUILD_DIR:-$root/build-asan}
minutes=30
jobs=1
build=1
targets=()
while (($#)); do
  case "$1" in
  --minutes) minutes=$2; shift 2
    [[ "$minutes" =~ ^[1-9][0-9]*$ ]] || {
      echo "fuzz: --minutes takes a positive whole number" >&2
      exit 2
    } ;;
  --jobs) jobs=$2; shift 2 ;;
  --no-build) build=0; shift ;;
  -h | --help) sed -n '2,15p' "$0"; exit 0 ;;
  -*) echo "fuzz: unknown option $1" >&2; exit 2 ;;
  *) targets+=("$1"); shift ;;
  esac
done
all=(fuzz-model-descriptor fuzz-npy fuzz-onnx-pb fuzz-onnx-import
  fuzz-graph-reader fuzz-schedules)
((${#targets[@]})) || targets=("${all[@]}")
declare -A seeds=([fuzz-model-descriptor]=model_descriptor [fuzz-npy]=npy
  [fuzz-onnx-pb]=onnx_pb [fuzz-onnx-import]=onnx_import
  [fuzz-graph-reader]=graph_reader [fuzz-schedules]=schedules)
for target in "${targets[@]}"; do
  [[ -n "${seeds[$target]:-}" ]] || {
    echo "fuzz: unknown target $target (expected ${all[*]})" >&2
    exit 2
  }
done

if ((build)); then
  if [[ ! -f "$asan_build/build.ninja" ]]; then
    cmake -S "$root" -B "$asan_build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_TOOLCHAIN_FILE="$root/cmake/ClangToolchain.cmake" \
      -DDDL_SANITIZE=address,undefined -DDDL_FUZZERS=ON
  fi
  cmake --build "$asan_build" --target "${targets[@]}"
fi

# cpu_now: CPU seconds this shell's finished children used so far (user +
# system, the second line of `times`, which must run in this shell, not in
# a $(...) subshell). A fuzzer's jobs are its children, so a target's share
# is the difference around its run.
times_file=$(mktemp)
started=$(mktemp)
trap 'rm -f "$times_file" "$started"' EXIT
children_cpu() {
  times > "$times_file"
  cpu_now=$(tail -1 "$times_file" | awk '{
    t = 0
    for (i = 1; i <= 2; ++i) { split($i, p, /[ms]/); t += p[1] * 60 + p[2] }
    printf "%d", t }')
}

failed=0
for target in "${targets[@]}"; do
  corpus="$asan_build/fuzz-corpus/$target"
  artifacts="$asan_build/fuzz-artifacts/$target/"
  log="$asan_build/fuzz-artifacts/$target.log"
  mkdir -p "$corpus" "$artifacts"
  echo "== $target: $minutes min x $jobs job(s), corpus $corpus" >&2
  args=(-max_total_time=$((minutes * 60)) -rss_limit_mb=4096
    -artifact_prefix="$artifacts")
  # Several jobs run as separate processes, each logging to fuzz-<n>.log.
  ((jobs > 1)) && args+=(-jobs="$jobs" -workers="$jobs")
  status=0
  children_cpu
  cpu_before=$cpu_now
  touch "$started" # crash files older than this run are not its own
  ASAN_OPTIONS=${ASAN_OPTIONS:-allow_user_poisoning=0:detect_leaks=1} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1} \
    "$asan_build/bin/$target" "${args[@]}" "$corpus" \
    "$root/test/fuzz/corpus/${seeds[$target]}" > "$log" 2>&1 || status=$?
  # Executions summed over the jobs' final lines; coverage of the last.
  logs=("$log")
  for job_log in fuzz-*.log; do [[ -f "$job_log" ]] && logs+=("$job_log"); done
  execs=$(grep -hE "^#[0-9]+[[:space:]]+DONE" "${logs[@]}" |
    sed -E 's/^#([0-9]+).*/\1/' | awk '{s += $1} END {print s + 0}')
  cov=$(grep -hE "^#[0-9]+" "${logs[@]}" | tail -1 | grep -oE "cov: [0-9]+" || true)
  crashes=$(find "$artifacts" -type f -newer "$started" | wc -l)
  children_cpu
  cpu=$((cpu_now - cpu_before))
  echo "$target: status $status, $((cpu / 60)) CPU-minutes, $execs executions, ${cov:-cov: ?}, corpus $(ls "$corpus" | wc -l) inputs, $crashes crash/leak/timeout file(s)"
  rm -f fuzz-*.log
  ((status == 0 && crashes == 0)) || failed=1
done
exit $failed

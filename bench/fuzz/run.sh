#!/usr/bin/env bash
# Builds the libFuzzer targets of bench/fuzz with Debian's clang (ASan + UBSan) and runs each for
# SECONDS (default 600) on its committed corpus, one after another; new inputs go to a scratch
# corpus, not the committed one. Prints one line per target: runs, corpus size, and "no finding"
# or the crash file. Usage: bench/fuzz/run.sh [SECONDS] [TARGET...]
#   e.g. bench/fuzz/run.sh 60 idx image
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/common.sh"
install_missing_packages clang libclang-rt-14-dev
SECONDS_EACH=${1:-600}
shift || true
TARGETS=("$@")
if [ ${#TARGETS[@]} -eq 0 ]; then TARGETS=(architecture_json idx cifar image run_store_row); fi

FUZZ_BUILD=${PARETONAS_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
cmake -S "$ROOT/bench/fuzz" -B "$FUZZ_BUILD" -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$FUZZ_BUILD" -j"$(nproc)"

status=0
for target in "${TARGETS[@]}"; do
  scratch="$FUZZ_BUILD/corpus/$target"
  artifacts="$FUZZ_BUILD/findings/$target/"
  mkdir -p "$scratch" "$artifacts"
  log="$FUZZ_BUILD/$target.log"
  # -rss_limit_mb: the readers must stay bounded whatever the input says (a gzip bomb).
  if "$FUZZ_BUILD/fuzz_$target" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 -timeout=10 \
      -artifact_prefix="$artifacts" "$scratch" "$ROOT/bench/fuzz/corpus/$target" >"$log" 2>&1; then
    runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1)
    echo "$target: ${runs:-no summary} in ${SECONDS_EACH}s, scratch corpus $(ls "$scratch" | wc -l) inputs: no finding"
  else
    status=1
    echo "$target: FINDING, see $log and $(ls -d "$artifacts"* | head -1)"
  fi
done
exit $status

#!/usr/bin/env bash
# Builds every libFuzzer target in Fuzz/ (ASan + libFuzzer) and runs each briefly: first over its
# committed regression inputs (Fuzz/Regressions/<Target>/, must all pass), then fuzzing from its
# seeds (Fuzz/Seeds/<Target>/) for FUZZ_SECONDS (default 20). Exit non-zero on any crash.
# FUZZ_SECONDS=0 only replays the regression inputs and the seeds, once each (what CI runs).
#   scripts/fuzz-smoke.sh [Target...]      FUZZ_SECONDS=600 scripts/fuzz-smoke.sh FuzzCompileSource
set -euo pipefail
cd "$(dirname "$0")/../Fuzz"
export SWIFT_BACKTRACE=enable=no
seconds=${FUZZ_SECONDS:-20}
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for d in Sources/*/; do [ -d "$d" ] && targets+=("$(basename "$d")"); done
fi
[ ${#targets[@]} -gt 0 ] || { echo "fuzz-smoke: no fuzz targets"; exit 0; }
# `--sanitize=fuzzer` alone does not instrument Swift code for coverage on this toolchain (libFuzzer
# then sees only the C shims): ask swiftc for the same edge/cmp counters clang's -fsanitize=fuzzer uses.
flags=(--sanitize=fuzzer --sanitize=address
       -Xswiftc -sanitize-coverage=edge,trace-cmp,inline-8bit-counters,pc-table)
swift build "${flags[@]}" 2>&1 | grep -v 'ld.gold: warning' | tail -n 2
bin=$(swift build "${flags[@]}" --show-bin-path)
for t in "${targets[@]}"; do
  echo "== $t"
  if compgen -G "Regressions/$t/*" >/dev/null; then
    "$bin/$t" Regressions/"$t"/* 2>&1 | tail -n 1
  fi
  if [ "$seconds" = 0 ]; then
    if compgen -G "Seeds/$t/*" >/dev/null; then
      replayed=$("$bin/$t" Seeds/"$t"/* 2>&1 | grep -c '^Executed')   # fails the script on a crash
      echo "replayed $replayed seed inputs"
    fi
    continue
  fi
  work=$(mktemp -d); mkdir -p "Seeds/$t"
  dict=(); [ -f "Dictionaries/$t.dict" ] && dict=(-dict="Dictionaries/$t.dict")
  "$bin/$t" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 "${dict[@]}" \
      -artifact_prefix="$work/" "$work" "Seeds/$t" 2>&1 | tail -n 1
  rm -rf "$work"
done

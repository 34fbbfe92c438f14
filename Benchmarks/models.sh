#!/usr/bin/env bash
# Model prediction benchmark: Verdict's predictor vs the XGBoost C API, LightGBM's
# SingleRowFast C API and TL2cgen-generated C (plain and quantized), on the same 100k rows of the
# reference workload, one thread, in one run. Prints each JSON line, then a table of ratios.
#   Benchmarks/models.sh            (make bench-models)
#   XGB_C_ROWS=5000 Benchmarks/models.sh  runs the slow XGBoost C API (~150 us/row, 7 passes) on the
#                                         first 5000 of the rows only; SKIP_XGB_C=1 skips it
# Peers come from ../shared/bench/peers (harness sources) and pip (xgboost, lightgbm, treelite,
# tl2cgen pinned in requirements.txt). Builds go to .build-peers/.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${VERDICT_SHARED:-$ROOT/../shared}
WORKLOAD=${VERDICT_WORKLOAD:-$ROOT/.build-workload}
PEERS=$SHARED/bench/peers
BUILD=$ROOT/.build-peers
DATA=$BUILD/data
PIN=""; command -v taskset >/dev/null && PIN="taskset -c 1"
export OMP_NUM_THREADS=1
SP=$(python3 -c 'import site; print(site.getsitepackages()[0])')
mkdir -p "$BUILD"
[ -f "$WORKLOAD/features.csv" ] || { echo "no workload at $WORKLOAD: run make workload" >&2; exit 1; }

# 1. inputs and oracles (rows 100000..199999, as the peers' run_all.sh), peer binaries
[ -f "$DATA/X64.bin" ] || python3 "$PEERS/prep.py" "$WORKLOAD" "$DATA" >/dev/null
[ -x "$BUILD/xgb_c" ] || gcc -O2 -o "$BUILD/xgb_c" "$PEERS/src/xgb_c.c" -L"$SP/xgboost/lib" -lxgboost -Wl,-rpath,"$SP/xgboost/lib" -lm
[ -x "$BUILD/lgbm_c" ] || gcc -O2 -o "$BUILD/lgbm_c" "$PEERS/src/lgbm_c.c" -L"$SP/lightgbm/lib" -l_lightgbm -Wl,-rpath,"$SP/lightgbm/lib" -lm
if [ ! -x "$BUILD/tl_lgbm" ]; then
  python3 "$PEERS/src/tl_build.py" "$WORKLOAD" "$BUILD/tl" 2>&1 | grep -v "Treelite version\|serializer.cc\|split.cc" || true
  for v in xgb xgb_quantized lgbm; do
    extra=""; [ -f "$BUILD/tl/$v/quantize.c" ] && extra="$BUILD/tl/$v/quantize.c"
    gcc -O3 -march=native -I"$BUILD/tl/$v" -o "$BUILD/tl_$v" "$PEERS/src/tl_bench.c" "$BUILD/tl/$v/main.c" $extra -lm
  done
fi
(cd "$ROOT" && swift build -c release --product verdict 2>&1 | tail -n 1) >&2
VERDICT=$ROOT/.build/release/verdict

# 2. one run, same rows, same CPU
RAW=$BUILD/models.jsonl
: > "$RAW"
run() { "$@" | grep '^{' | tee -a "$RAW"; }
bench() { run $PIN "$VERDICT" model bench "$WORKLOAD/models/$1" --csv "$WORKLOAD/features.csv" --anchor "$2"; }
bench fraud_gbdt.json verdict_xgboost_margin
bench fraud_lgbm.txt verdict_lightgbm_margin
run $PIN "$BUILD/tl_xgb" tl2cgen_xgboost "$DATA" X32.bin xgb_margin.bin
run $PIN "$BUILD/tl_xgb_quantized" tl2cgen_xgboost_quantized "$DATA" X32.bin xgb_margin.bin
run $PIN "$BUILD/tl_lgbm" tl2cgen_lightgbm "$DATA" X64.bin lgbm_raw.bin
run $PIN "$BUILD/lgbm_c" "$WORKLOAD/models/fraud_lgbm.txt" "$DATA"
if [ -z "${SKIP_XGB_C:-}" ]; then
  XGB_DATA=$DATA
  if [ -n "${XGB_C_ROWS:-}" ]; then
    XGB_DATA=$BUILD/data-xgb-$XGB_C_ROWS; mkdir -p "$XGB_DATA"
    head -c $((XGB_C_ROWS * 22 * 4)) "$DATA/X32.bin" > "$XGB_DATA/X32.bin"
    head -c $((XGB_C_ROWS * 4)) "$DATA/xgb_margin.bin" > "$XGB_DATA/xgb_margin.bin"
  fi
  run $PIN "$BUILD/xgb_c" "$WORKLOAD/models/fraud_gbdt.json" "$XGB_DATA"
fi

# 3. ratios (peer time / ours, p50 and mean)
python3 - "$RAW" <<'PY'
import json, sys
rows = {d["anchor"]: d for d in map(json.loads, open(sys.argv[1]))}
pairs = [("verdict_xgboost_margin", ["tl2cgen_xgboost_margin", "tl2cgen_xgboost_quantized_margin", "xgboost_c_dense_margin"]),
         ("verdict_lightgbm_margin", ["tl2cgen_lightgbm_margin", "lightgbm_c_fast_raw"])]
print("\n| ours | ns/row p50 (mean) | ns/visited node p50 (mean) | peer | peer ns/row p50 (mean) | peer mismatches | speed-up p50 (mean) |")
print("|---|---|---|---|---|---|---|")
for ours, peers in pairs:
    o = rows[ours]
    for p in peers:
        if p not in rows: continue
        q = rows[p]
        print(f"| {ours} | {o['p50_ns']:.0f} ({o['mean_ns']:.0f}) | {o['p50_ns_per_visited_node']:.2f} ({o['ns_per_visited_node']:.2f}) | {p} | "
              f"{q['p50_ns']:.0f} ({q['mean_ns']:.0f}) | {q.get('mismatch', '')} | "
              f"{q['p50_ns'] / o['p50_ns']:.2f}x ({q['mean_ns'] / o['mean_ns']:.2f}x) |")
PY

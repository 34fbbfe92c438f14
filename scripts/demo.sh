#!/usr/bin/env bash
# The README's demo (`make demo`): walks the release build of `verdict` through the reference
# workload of ../shared/bench, one component at a time, the way a new user would try it:
# check and format rules, see a diagnostic, run the models, load the blocklists into LMDB, keep
# velocity counters, compile the ruleset to bytecode and benchmark it against its peers.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VERDICT_BIN:-$(swift build -c release --show-bin-path)/verdict}
workload=${VERDICT_WORKLOAD:-$PWD/.build-workload}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ verdict %s\n' "$*"; "$bin" "$@"; }

step "1. Type-check the reference ruleset and the starter rulesets"
for dir in Rules/*/; do run check "$dir"; done   # all files given to one check form one ruleset
run fmt --check Rules/card-testing Rules/account-takeover Rules/marketplace-payouts

step "2. A mistake, and the diagnostic an analyst sees (exit status 1 is expected)"
cat > "$tmp/typo.rules" <<'EOF'
schema {
  amount_usd  double
  email       string
}
list blocked_emails string ci
rule big: block if amount_usdd > 1000 and email in @blocked_email
EOF
run check "$tmp/typo.rules" || true

step "3. Models: the reference XGBoost and LightGBM models, bit-exact with the libraries"
run model inspect "$workload/models/fraud_gbdt.json" | head -n 12 || true
head -n 6 "$workload/features.csv" > "$tmp/rows.csv"
run model predict "$workload/models/fraud_gbdt.json" --csv "$tmp/rows.csv"
echo "(expected_scores.csv, same events, as written by xgboost/lightgbm in Python:)"
head -n 6 "$workload/expected_scores.csv"

step "4. Lists: the reference blocklists imported into LMDB, then looked up"
for list in blocked_emails:string-ci blocked_cards:string blocked_networks:ip risky_bins:prefix \
            disposable_domains:string-ci vip_customers:string trusted_customers:string; do
  name=${list%%:*} kind=${list#*:}
  "$bin" list create --dir "$tmp/lists" "$name" "$kind"
  run list import --dir "$tmp/lists" "$name" "$workload/lists/$name.txt"
done
run list show --dir "$tmp/lists"
net=$(grep -m 1 / "$workload/lists/blocked_networks.txt")
run list check --dir "$tmp/lists" blocked_networks "${net%/*}" || true
run list check --dir "$tmp/lists" blocked_networks 192.0.2.1 || true

step "5. Velocity counters: a counter file made from the ruleset's counter declarations"
run counters create "$tmp/velocity.counters" --rules Rules/reference/reference.rules
run counters add "$tmp/velocity.counters" card_0001 --counter attempts_per_card --at 1790812800
run counters add "$tmp/velocity.counters" card_0001 --counter attempts_per_card --at 1790812860
run counters get "$tmp/velocity.counters" card_0001 --group card.fingerprint --at 1790812900

step "6. Compile the reference ruleset to verified bytecode and read it back"
run compile Rules/reference -o "$tmp/reference.vbc"
run disasm "$tmp/reference.vbc" | head -n 40 || true   # head closes the pipe early
echo "..."

step "7. Quick expression checks, CEL semantics (values, missing, errors)"
run expr '1 + 2 * 3'
run expr '9223372036854775807 + 1' || true
run expr '"Card-Testing".startsWith("Card") && 2 < 2.5 && !(3 in [1, 2])'
run expr '10 / 0 > 1 || true'

step "8. End to end: the first reference events through rules, lists, counters and models"
head -n 2000 "$workload/events.ndjson" > "$tmp/events.ndjson"
"$bin" eval Rules/reference --lists "$tmp/lists" --counters "$tmp/eval.counters" \
  --events "$tmp/events.ndjson" --json > "$tmp/verdicts.ndjson"
echo "2000 events evaluated; verdicts by action:"
grep -o '"action":"[a-z]*"' "$tmp/verdicts.ndjson" | sort | uniq -c
echo "the first blocked event, explained (--trace):"
n=$(grep -m 1 -n '"action":"block"' "$tmp/verdicts.ndjson" | cut -d: -f1)
sed -n "${n}p" "$tmp/events.ndjson" | run eval Rules/reference --lists "$tmp/lists" \
  --counters "$tmp/explain.counters" --trace --no-record

step "9. Speed (release build, one thread; peers measured in the same run)"
run bench-frontend
run list bench --workload "$workload"
run counters bench --workload "$workload" --no-redis --events 50000
run bench-engine --workload "$workload" --events 20000
echo
echo "Peer comparisons that build C/Lua/LuaJIT/TL2cgen harnesses and start Redis:"
echo "  make bench-rules bench-models bench-lists bench-counters"

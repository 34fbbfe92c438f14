#!/usr/bin/env bash
# Regenerates the FuzzVerifyBytecode seeds (Fuzz/Seeds/FuzzVerifyBytecode): every starter ruleset
# of Rules/ and Fuzz/SeedRules/*.rules compiled to .vbc, plus each payload without its 24-byte
# header (the harness wraps those in a valid header). Run after a bytecode format change
# (`make vbc-seeds`); VERDICT_BIN overrides the binary.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${VERDICT_BIN:-.build/debug/verdict}
out=Fuzz/Seeds/FuzzVerifyBytecode
rm -f "$out"/*.vbc "$out"/*.payload
for dir in Rules/*/; do "$bin" compile "$dir" -o "$out/$(basename "$dir").vbc"; done
for file in Fuzz/SeedRules/*.rules; do "$bin" compile "$file" -o "$out/$(basename "$file" .rules).vbc"; done
for file in "$out"/*.vbc; do tail -c +25 "$file" > "${file%.vbc}.payload"; done
ls -l "$out"

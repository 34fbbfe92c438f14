#!/usr/bin/env bash
# The README's demo: runs the release build of `verdict` over the reference workload.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build -c release --show-bin-path)/verdict
"$bin" --help

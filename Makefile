# Verdict: every entry point a developer or CI needs. `make demo` and `make test` are the two
# commands of the README; both install what is missing first (scripts/install-deps.sh).
SHARED    ?= $(abspath ../shared)
WORKLOAD  ?= $(abspath .build-workload)
SWIFT     ?= swift
RELEASE   := $(SWIFT) build -c release
export VERDICT_WORKLOAD := $(WORKLOAD)
export VERDICT_SHARED   := $(SHARED)

.PHONY: deps build release test demo workload clean

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build

release: deps
	$(RELEASE)

# The reference workload of ../shared/bench (events, lists, models); ~1 minute, cached.
workload: deps
	@[ -f $(WORKLOAD)/features.csv ] || python3 $(SHARED)/bench/gen_workload.py --out $(WORKLOAD)

test: deps workload
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: release workload
	scripts/demo.sh

clean:
	rm -rf .build .build-* .build_*

.PHONY: fuzz-smoke
# Builds the libFuzzer targets in Fuzz/ and runs each for FUZZ_SECONDS (default 20).
fuzz-smoke: deps
	scripts/fuzz-smoke.sh

.PHONY: vbc-seeds
# Recompiles the FuzzVerifyBytecode seeds (after a bytecode format change).
vbc-seeds: build
	scripts/vbc-seeds.sh

.PHONY: check-rules
# Type-checks every ruleset in Rules/ (with its models; the reference copy needs `make workload`),
# failing on warnings too.
check-rules: build workload
	@for d in Rules/*/; do $(SWIFT) run -q verdict check --warnings-as-errors "$$d" || exit 1; done

# --- Models (VerdictModels) ---
.PHONY: parity bench-models
# Retrains Models/ and rewrites Models/goldens with the pinned xgboost/lightgbm, then runs the
# parity tests against them (and the reference workload's expected scores).
parity: deps workload
	python3 Models/train.py
	$(SWIFT) test --filter 'ParityTests|ReferenceWorkloadTests|ModelLoaderTests'

# Verdict's predictor vs XGBoost/LightGBM C APIs and TL2cgen C on the same 100k rows, one run.
bench-models: deps workload
	Benchmarks/models.sh

# --- Lists (VerdictStore, docs/lists.md): lookup latency on the reference lists and events, release
# build; prints miss/hit ns per list kind and raw mdb_get ns measured in the same run.
.PHONY: bench-lists
bench-lists: release workload
	$(SWIFT) run -c release --skip-build verdict list bench --workload $(WORKLOAD)

.PHONY: bench-counters
# Velocity counters: per-event cost of the reference counters (10 window reads + 6 updates) and
# the Redis alternative (INCR+EXPIRE x6 pipelined on loopback) in the same run. Release build.
bench-counters: workload
	@scripts/install-deps.sh bench
	$(RELEASE) --product verdict
	.build/release/verdict counters bench --workload $(WORKLOAD)

# --- VerdictVM / VerdictCompiler (issue 3) ---
.PHONY: vm-arc-check
# Release-builds VerdictVM and fails if the interpreter loop (or anything it calls) retains,
# releases, allocates a Swift object or checks exclusivity at run time.
vm-arc-check: deps
	$(RELEASE) --target VerdictVM
	python3 scripts/vm-arc-check.py .build/release/VerdictVM.build

.PHONY: bench-rules
# Rules-only benchmark (release build): reference.rules over the reference workload with lists,
# counters and models precomputed, next to the C, Lua 5.4 and LuaJIT harnesses of
# ../shared/bench/peers measured in the same run (inputs prepared once by their prep.py).
bench-rules: workload
	@scripts/install-deps.sh bench
	@[ -f .build-bench/data/rules_in.tsv ] || python3 $(SHARED)/bench/peers/prep.py $(WORKLOAD) .build-bench/data
	$(RELEASE) --product verdict
	taskset -c 1 .build/release/verdict bench --rules-only --pin 1

# --- CEL conformance and VM-vs-reference differential testing (issue 3) ---
.PHONY: conformance differential
# The CEL conformance runner (reference evaluator and compiler + VM); prints executed/passed/skipped per file.
conformance: deps
	$(SWIFT) test --filter 'ConformanceClassificationTests|conformanceThrough'
# The full differential run: 100,000 random programs x 10 requests, VM against the reference
# evaluator (CI runs 10,000 in `make test`). VERDICT_DIFFERENTIAL_SEEDS=1,2 reruns given seeds.
differential: deps
	VERDICT_DIFFERENTIAL_PROGRAMS=$${VERDICT_DIFFERENTIAL_PROGRAMS:-100000} $(SWIFT) test --filter vmAgreesWithReferenceOnRandomPrograms

# --- Engine (Sources/Verdict, docs/engine.md) ---
.PHONY: bench-engine
# The full pipeline per event (typed setters, LMDB lists, counters, models, rules, counter
# updates) on the first 20,000 reference events, fast and trace mode, and the JSON path. Release.
bench-engine: release workload
	.build/release/verdict bench-engine --workload $(WORKLOAD)

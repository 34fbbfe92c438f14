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

# Lists (VerdictStore, docs/lists.md): lookup latency on the reference lists and events, release
# build; prints miss/hit ns per list kind and raw mdb_get ns measured in the same run.
.PHONY: bench-lists
bench-lists: release workload
	$(SWIFT) run -c release --skip-build verdict list bench --workload $(WORKLOAD)

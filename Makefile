# lineage: `make demo` sets up, builds and runs the demo; `make test` sets up and runs every test.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo >/dev/null 2>&1 && [ "$$(id -u)" != 0 ] && echo sudo)
APT_PACKAGES := pkg-config libgit2-dev libsqlite3-dev git sqlite3

BENCH_RECORDS ?= 1000000
# The monitoring benchmark: predictions a day, and how many days of them before the day evaluated
# (1M and 9: the last day of a 10.25M-prediction store, as issue 23 asks).
BENCH_MONITOR_DAY ?= 1000000
BENCH_MONITOR_DAYS ?= 9

.PHONY: all setup python-deps build release install uninstall dist demo test test-release test-dist bench fuzz clean

all: build

# Installs what is missing: libgit2 (through apt, only when pkg-config cannot find it or its static
# archive, which lineage links), SQLite (and its shell, which tests use to edit an index) and git.
LIBGIT2_ARCHIVE = $$(pkg-config --variable=libdir libgit2 2>/dev/null)/libgit2.a
setup:
	@if ! command -v pkg-config >/dev/null 2>&1 || ! pkg-config --exists libgit2 || ! pkg-config --exists sqlite3 \
	    || ! test -f "$(LIBGIT2_ARCHIVE)" || ! command -v git >/dev/null 2>&1 || ! command -v sqlite3 >/dev/null 2>&1; then \
	  echo "Installing $(APT_PACKAGES) with apt-get"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES) >/dev/null; \
	fi
	@pkg-config --exists libgit2 && test -f "$(LIBGIT2_ARCHIVE)" || { echo "libgit2 is still missing: install libgit2-dev" >&2; exit 1; }

# The Python example and its tests need python3 with scikit-learn (from PyPI, else Debian's package), and
# the export tests the real validators: jsonschema + referencing (OpenLineage) and prov (PROV-JSON);
# check-jsonschema checks examples/ci against GitHub's own workflow and action schemas; schemathesis
# tests lineage serve against docs/openapi.yaml; PyJWT plays an identity provider for its OIDC tests.
python-deps:
	@command -v python3 >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3 python3-pip >/dev/null; }
	@python3 -c 'import sklearn' 2>/dev/null || { echo "Installing scikit-learn"; \
	  python3 -m pip install -q scikit-learn 2>/dev/null || python3 -m pip install -q --break-system-packages scikit-learn 2>/dev/null \
	  || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq python3-sklearn >/dev/null; }; }
	@python3 -c 'import sklearn' || { echo "scikit-learn is still missing: pip install scikit-learn" >&2; exit 1; }
	@python3 -c 'import jsonschema, referencing, rfc3339_validator, prov, check_jsonschema, schemathesis, jwt, cryptography' 2>/dev/null || { echo "Installing jsonschema, referencing, prov, check-jsonschema, schemathesis, pyjwt, cryptography"; \
	  python3 -m pip install -q jsonschema referencing rfc3339-validator prov check-jsonschema schemathesis pyjwt cryptography 2>/dev/null \
	  || python3 -m pip install -q --break-system-packages jsonschema referencing rfc3339-validator prov check-jsonschema schemathesis pyjwt cryptography; }

build: setup
	$(SWIFT) build

# Release builds are static position-independent executables (static-pie: still loaded at a random
# address): the Swift runtime, Foundation, libstdc++, SQLite and glibc are linked in, so no command
# waits for the dynamic loader to map, relocate and bind shared libraries, or to resolve each libc or
# SQLite function on its first call (`record run` 10.3 -> 6.3 ms, `--version` 4.7 -> 3.2 ms back to
# back). `--disable-local-rpath` because glibc's static-pie start-up refuses a binary with a RUNPATH.
# The linker warns that getpwuid and dlopen need this glibc's shared libraries at run time: true of
# any binary built on this machine, and lineage calls neither (libgit2 would, for `~` in a config).
# They also reach generic type metadata through accessor functions rather than by mangled name (all
# modules, the dependencies too): looking a type up by name makes the runtime demangle it and search
# all ~6,900 protocol conformances of the executable for each generic requirement, the first time in
# every process. Argument parsing met most of them: `record run` ~1.5 ms faster, 55 -> 37 searches.
RELEASE_FLAGS := -c release --static-swift-stdlib -Xswiftc -static-executable -Xswiftc -Xclang-linker -Xswiftc -static-pie \
  --disable-local-rpath -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors

# Only our executables: some dependency products (GRDB-dynamic, ArgumentParser's tools) do not
# link with a static Swift runtime.
release: setup
	$(SWIFT) build $(RELEASE_FLAGS) --product lineage
	$(SWIFT) build $(RELEASE_FLAGS) --product lineage-server
	$(SWIFT) build $(RELEASE_FLAGS) --product lineage-bench

# Installs the release binaries, a man page per command (generated from the argument parser by its
# generate-manual tool) and bash, zsh and fish completions under $(DESTDIR)$(PREFIX).
PREFIX ?= /usr/local
RELEASE_BIN = $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)
GENERATE_MANUAL = $$($(SWIFT) build --show-bin-path)/generate-manual
install: release
	$(SWIFT) build --product generate-manual
	scripts/install.sh "$(RELEASE_BIN)" "$(DESTDIR)$(PREFIX)" "$(GENERATE_MANUAL)"

uninstall:
	scripts/install.sh --uninstall "$(DESTDIR)$(PREFIX)"

# A versioned tarball in dist/ that runs on Debian or Ubuntu without Swift: the static binaries,
# man pages, completions, docs, LICENSE and SHA256SUMS, with a checksum file beside it.
dist: release
	$(SWIFT) build --product generate-manual
	scripts/dist.sh "$(RELEASE_BIN)" "$(GENERATE_MANUAL)" dist

demo: build
	LINEAGE=$$($(SWIFT) build --show-bin-path)/lineage bash examples/demo.sh

test: setup python-deps
	$(SWIFT) build --product generate-manual
	$(SWIFT) build --build-tests
	LINEAGE_BIN=$$($(SWIFT) build --show-bin-path)/lineage $(SWIFT) test

# The same tests, the end-to-end ones run against the release build (static-pie) that `make bench`
# times; then the tarball of `make dist`, run with an empty environment in an empty root.
test-release: release python-deps
	$(SWIFT) build --product generate-manual
	$(SWIFT) build --build-tests
	LINEAGE_BIN=$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lineage $(SWIFT) test
	$(MAKE) test-dist

test-dist: dist
	scripts/test-dist.sh dist/lineage-*-linux-$$(uname -m).tar.gz

# Times recording training runs, beside MLflow's sqlite backend (installed from PyPI if missing), and
# ingest over HTTP by 8 clients beside `lineage ingest` of the same lines, and trace over HTTP with wrk
# (32 connections) beside /healthz under the same load (wrk from Debian, installed if missing); then
# builds a synthetic store of $(BENCH_RECORDS) predictions and prints each figure beside its reference
# (git fast-import, gzip, openssl, lineage --version), measured in the same run; saves bench-results/.
# The small benchmark runs first: deleting the big store leaves the file system slow to create files
# for a while, which the many small writes of recording runs would feel.
bench: release python-deps
	@command -v wrk >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	@python3 -c 'import mlflow, sqlalchemy, alembic' 2>/dev/null || python3 -m pip install -q mlflow-skinny sqlalchemy alembic \
	  || python3 -m pip install -q --break-system-packages mlflow-skinny sqlalchemy alembic
	python3 bench/training_runs.py $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lineage 200 bench-results/training_runs.json
	python3 bench/monitoring.py $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lineage $(BENCH_MONITOR_DAY) bench-results/monitoring.json $(BENCH_MONITOR_DAYS)
	python3 bench/http_ingest.py $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lineage 8 25 1000 bench-results/http_ingest.json
	python3 bench/http_trace.py $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lineage $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lineage-bench $(BENCH_RECORDS) 20 bench-results/http_trace.json
	$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lineage-bench --records $(BENCH_RECORDS) \
	  --lineage $$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/lineage --out bench-results

# Fuzzes the parsers that take untrusted input (JSON, the canonical scan, NDJSON lines, evidence
# bundles, signed notes and checkpoints, policies, times) with libFuzzer, FUZZ_SECONDS each, from the
# seed corpus in Fuzz/corpus (remade by Fuzz/make-corpus.sh). A separate build path: the sanitised
# build does not disturb the normal one.
FUZZ_SECONDS ?= 60
FUZZ_BUILD := --build-path .build/fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
fuzz: setup
	$(SWIFT) build --product lineage-fuzz $(FUZZ_BUILD)
	Fuzz/run.sh $$($(SWIFT) build $(FUZZ_BUILD) --show-bin-path)/lineage-fuzz $(FUZZ_SECONDS)

clean:
	rm -rf .build

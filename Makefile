# ae: build, test, demo, man pages and install. Every target first installs the
# Debian packages it needs when they are missing (scripts/install-deps).
SWIFT ?= swift
PREFIX ?= /usr/local
# Beyond the build, the tests read ae's files with h5py, numpy, pandas and PIL
# and filter its rows with jq; the man pages are checked with jq too. GNU
# parallel runs the README's sharding recipes.
TEST_PACKAGES := python3-h5py python3-numpy python3-pandas python3-pil jq parallel
# The Spark tests' pyspark lives in a virtual environment outside the
# repository, which `make spark-deps` sets up (with Java); `make test` runs
# them when it is there, and they skip otherwise.
SPARK_VENV ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/ae-spark-venv

.PHONY: all deps test-deps spark-deps build test test-sanitize man demo install check-install clean

all: build

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps $(TEST_PACKAGES)

spark-deps:
	@scripts/install-spark "$(SPARK_VENV)"

# Release tools linked with the Swift runtime inside, as `make install` builds
# them: each start-up is about 10 ms shorter than with the shared libraries.
build: deps
	$(SWIFT) build -c release --static-swift-stdlib

test: test-deps
	$(SWIFT) build --build-tests
	AE_SPARK_PYTHON="$${AE_SPARK_PYTHON-$(wildcard $(SPARK_VENV)/bin/python)}" $(SWIFT) test --skip-build
	scripts/man-pages --check

# The test suite under AddressSanitizer, then under ThreadSanitizer, each in a
# build directory of its own. The end-to-end tests run the tools built there,
# so the tools are checked too; every process writes its sanitizer reports
# to .build/sanitizer-reports/, and any report there fails the target (a
# tool's report would otherwise only reach the stderr its test captured).
# A huge allocation fails as it does outside ASan (libhdf5, reading a
# damaged file, checks for that) instead of stopping the process. The ASan
# and LSan suppressions in sanitizers/ cover only code that is not ae's, each
# with the reason; TSan needs none.
REPORTS := $(CURDIR)/.build/sanitizer-reports
SUPPRESSIONS := $(CURDIR)/sanitizers

test-sanitize: test-deps
	$(SWIFT) build --build-tests --sanitize=address --scratch-path .build/asan
	rm -rf $(REPORTS) && mkdir -p $(REPORTS)
	ASAN_OPTIONS=allocator_may_return_null=1:suppressions=$(SUPPRESSIONS)/asan.supp:log_path=$(REPORTS)/asan \
	LSAN_OPTIONS=suppressions=$(SUPPRESSIONS)/lsan.supp:print_suppressions=0 \
		$(SWIFT) test --skip-build --sanitize=address --scratch-path .build/asan
	@scripts/sanitizer-reports $(REPORTS)
	$(SWIFT) build --build-tests --sanitize=thread --scratch-path .build/tsan
	TSAN_OPTIONS=allocator_may_return_null=1:log_path=$(REPORTS)/tsan \
		$(SWIFT) test --skip-build --sanitize=thread --scratch-path .build/tsan
	@scripts/sanitizer-reports $(REPORTS)

man: test-deps
	scripts/man-pages

demo: build
	scripts/demo demo-out

install: deps
	scripts/install "$(PREFIX)"

check-install: deps
	scripts/check-install

clean:
	rm -rf .build demo-out

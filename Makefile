# ae: build, test, demo, man pages and install. Every target first installs the
# Debian packages it needs when they are missing (scripts/install-deps).
SWIFT ?= swift
PREFIX ?= /usr/local
# Beyond the build, the tests read ae's files with h5py, numpy and PIL and
# filter its rows with jq; the man pages are checked with jq too.
TEST_PACKAGES := python3-h5py python3-numpy python3-pil jq

.PHONY: all deps test-deps build test man demo install check-install clean

all: build

deps:
	@scripts/install-deps

test-deps:
	@scripts/install-deps $(TEST_PACKAGES)

build: deps
	$(SWIFT) build -c release

test: test-deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	scripts/man-pages --check

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

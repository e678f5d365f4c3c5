# ae: build, test, demo and install. Every target first installs the Debian
# packages ae needs when they are missing (scripts/install-deps).
SWIFT ?= swift
PREFIX ?= /usr/local
TOOLS := ae-fit ae-encode ae-decode ae-score ae-interp

.PHONY: all deps build test demo clean

all: build

deps:
	@scripts/install-deps

build: deps
	$(SWIFT) build -c release

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

demo: build
	scripts/demo demo-out

clean:
	rm -rf .build demo-out

# Thin wrapper over meson: the two commands of README.md and a few conveniences.
# `make demo` and `make check` install what they need (Debian packages) when run as root.

BUILD ?= build
MESON_OPTS ?= -Dwerror=true

.PHONY: all build demo check fuzz bench bench-fuzz valgrind clean

all: build

$(BUILD)/build.ninja:
	tools/install-deps build
	meson setup $(BUILD) $(MESON_OPTS)

build: $(BUILD)/build.ninja
	ninja -C $(BUILD)

demo:
	tools/install-deps demo
	$(MAKE) build
	/usr/bin/python3 tools/demo

check:
	tools/check

fuzz:
	tools/fuzz $(FUZZ_SECONDS)

bench:
	tools/install-deps bench
	$(MAKE) build
	bench/run
	bench/host
	bench/http

# Every libFuzzer target for FUZZ_SECONDS (60) each, about 12 minutes; not part of `make bench`.
bench-fuzz:
	bench/fuzz --seconds $(or $(FUZZ_SECONDS),60)

# Unit tests, fuzz replays and the CLI's integration tests under valgrind (build-valgrind).
valgrind:
	tools/valgrind

clean:
	rm -rf build build-* 

# Front door: `make` builds, `make run` sets up and runs fdscope, `make test`
# sets up and runs every test, `make install` and `make deb` install or
# package it. CMake + Ninja do the real work in build/.
BUILD ?= build
FUZZ_BUILD ?= build-fuzz
CMAKE_FLAGS ?=
PREFIX ?= /usr/local
DESTDIR ?=

.PHONY: all build deps run test install deb fuzz fuzz-run bench clean

all: build

deps:
	@sh scripts/deps.sh

$(BUILD)/build.ninja:
	cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: $(BUILD)/build.ninja
	cmake --build $(BUILD)

run: deps
	@$(MAKE) --no-print-directory build
	./$(BUILD)/fdscope

test: deps
	@$(MAKE) --no-print-directory build
	ctest --test-dir $(BUILD) --output-on-failure -j2

# PREFIX/bin/fdscope, the man page and the bash completion (cmake/Install.cmake),
# staged under DESTDIR when it is set: make install PREFIX=/usr DESTDIR=/tmp/stage
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

# $(BUILD)/fdscope_VERSION_ARCH.deb (cmake/Package.cmake); install it with
# apt-get install ./$(BUILD)/fdscope_*.deb
deb: build
	@command -v dpkg-shlibdeps >/dev/null || { echo "make deb needs dpkg-shlibdeps: apt-get install dpkg-dev (or make deps as root)" >&2; exit 1; }
	cd $(BUILD) && cpack -G DEB

# libFuzzer targets (clang), one per parser, each with its corpus in
# fuzz/corpus/<target>/: `make fuzz` builds them, `make fuzz-run` runs each
# for FUZZ_SECONDS on its corpus (new inputs land there; keep the ones worth
# committing), or one by hand: ./build-fuzz/fuzz/fuzz_fdinfo fuzz/corpus/fuzz_fdinfo
FUZZ_SECONDS ?= 30
fuzz:
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DFDSCOPE_FUZZ=ON -DFDSCOPE_TESTS=OFF
	cmake --build $(FUZZ_BUILD)

fuzz-run: fuzz
	@set -e; for bin in $$(find $(FUZZ_BUILD) -type f -name 'fuzz_*' -perm -u+x | sort); do \
	  name=$$(basename $$bin); mkdir -p fuzz/corpus/$$name; \
	  echo "== $$name"; $$bin -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 fuzz/corpus/$$name; \
	done

bench: build
	bench/run.sh
	$(BUILD)/bench/fdscope_tick_bench
	bench/why.sh
	bench/trace.sh
	bench/preload.sh
	bench/serve.sh

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)

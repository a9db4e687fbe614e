# Front door: `make` builds, `make run` sets up and runs fdscope, `make test`
# sets up and runs every test. CMake + Ninja do the real work in build/.
BUILD ?= build
FUZZ_BUILD ?= build-fuzz
CMAKE_FLAGS ?=

.PHONY: all build deps run test fuzz bench clean

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

# libFuzzer targets (clang): ./build-fuzz/fuzz/fuzz_fdinfo tests/data/fdinfo
fuzz:
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DFDSCOPE_FUZZ=ON -DFDSCOPE_TESTS=OFF
	cmake --build $(FUZZ_BUILD)

bench: build
	bench/run.sh
	$(BUILD)/bench/fdscope_tick_bench

clean:
	rm -rf $(BUILD) $(FUZZ_BUILD)

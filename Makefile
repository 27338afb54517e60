# vigil: the two quick-start commands and the developer targets.
#   make scan TARGET=/home   install build deps, build, scan TARGET recursively
#   make check               install test deps, build, run every test, then
#                            rebuild with ASan+UBSan and run them all again
#   make fuzz                build the libFuzzer targets and fuzz each for FUZZ_SECONDS
#   make bench               side-by-side benchmarks against clamscan (bench/)
BUILD ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
TARGET ?= $(HOME)
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=

.PHONY: all deps test-deps build scan check check-asan check-reproducible fuzz bench install clean

all: build

deps:
	sh scripts/install-deps build

test-deps:
	sh scripts/install-deps test

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)

scan: build
	$(BUILD)/vigil scan -r $(TARGET)

check: test-deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j$(JOBS)
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS)
	$(MAKE) check-asan
	sh tests/fuzz/run-seeds.sh $(FUZZ_BUILD)

check-asan: test-deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON $(CMAKE_FLAGS)
	cmake --build $(ASAN_BUILD) -j$(JOBS)
	cd $(ASAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j$(JOBS)

# Two Release builds of HEAD in different directories and at different
# times must install bit-identical files (about 2 minutes on 2 cores).
check-reproducible: deps
	sh scripts/check-reproducible

fuzz: test-deps
	sh tests/fuzz/run-seeds.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench:
	sh scripts/install-deps bench
	cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DVIGIL_TESTS=OFF
	cmake --build build-release -j$(JOBS)
	bash bench/run.sh build-release/vigil
	bash bench/patterns.sh build-release/vigil
	bash bench/yara.sh build-release/vigil

install: build
	cmake --install $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD) build-release

#!/bin/sh
# Builds the libFuzzer targets with clang and runs each one: over its seed
# corpus only (the default, as part of `make check`), or for N seconds each
# (`make fuzz FUZZ_SECONDS=N`). New inputs go to a scratch copy of the corpus,
# never into the repository.
set -eu
build=${1:-build-fuzz}
seconds=${2:-0}
src=$(cd "$(dirname "$0")/../.." && pwd)
CC=clang cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Debug -DVIGIL_FUZZ=ON \
  -DVIGIL_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
status=0
for f in "$src"/tests/fuzz/fuzz_*.c; do
  name=$(basename "$f" .c)
  fmt=${name#fuzz_}
  scratch=$(mktemp -d)
  cp -r "$src/tests/fuzz/corpus/$fmt/." "$scratch/"
  if [ "$seconds" -gt 0 ]; then
    args="-max_total_time=$seconds"
  else
    args="-runs=0"
  fi
  echo "fuzz: $name $args"
  if ! "$build/tests/fuzz/$name" $args -artifact_prefix="$build/" "$scratch" \
       >"$build/$name.log" 2>&1; then
    echo "fuzz: $name FAILED; see $build/$name.log"
    tail -30 "$build/$name.log"
    status=1
  fi
  rm -rf "$scratch"
done
exit $status

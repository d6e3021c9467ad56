#!/usr/bin/env bash
# The whole test suite, as CI runs it: unit, golden, hostile, end-to-end (real VMs) and fuzz tests,
# under the default build and again under ASan+UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."

fuzz_seconds=${RG_FUZZ_SECONDS:-60}
jobs=$(nproc)

step() { printf '\n==== %s\n' "$*"; }

if [ "${RG_SKIP_DEPS:-0}" != 1 ]; then
    step "installing Debian packages"
    bash scripts/install-deps.sh
fi

step "build (default preset)"
cmake --preset default >/dev/null
cmake --build build -j"$jobs"

step "guest images and sample updates"
# All of them; debian12 (debootstrap from the host's apt mirror) takes about 45 s the first time.
RINGGATE="$PWD/build/ringgate" bash images/build.sh

step "tests: unit, golden, hostile, images, end-to-end (default build)"
ctest --test-dir build --output-on-failure -L 'unit|golden|hostile|images|e2e'

step "build (asan preset: clang, ASan+UBSan, libFuzzer)"
cmake --preset asan -DRG_FUZZ_SECONDS="$fuzz_seconds" >/dev/null
cmake --build build-asan -j"$jobs"

step "tests: unit, golden, hostile, fuzz (${fuzz_seconds}s each) under ASan+UBSan"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -L 'unit|golden|hostile|fuzz'

step "leftovers"
if pgrep -a qemu-system; then
    echo "FAIL: the tests left QEMU processes behind" >&2
    exit 1
fi
echo "no QEMU process left"

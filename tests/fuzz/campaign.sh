#!/usr/bin/env bash
# A fuzz campaign outside CI: every libFuzzer target of the ASan build, niced, for BUDGET
# seconds in all (shared equally), on corpora kept between campaigns. Prints each target's
# executions, execs/s, coverage at the start and the end (edges "cov" and features "ft"),
# the corpus's growth and peak memory; a crash is kept, to become a regression seed.
#   cmake --preset asan && cmake --build build-asan -j1 && tests/fuzz/campaign.sh 3600
set -uo pipefail
budget=${1:?usage: campaign.sh BUDGET_SECONDS [BUILD_DIR]}
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${2:-$here/../../build-asan}" && pwd) || exit 2
. "$here/fuzz-lib.sh"
camp=$build/fuzz-campaign
mkdir -p "$camp"
mapfile -t fuzzers < <(find "$build/tests" -maxdepth 1 -name 'fuzz_*' -type f -perm -u+x | sort)
[ "${#fuzzers[@]}" -gt 0 ] || { echo "no fuzzers in $build/tests: build the asan preset" >&2; exit 2; }
each=$((budget / ${#fuzzers[@]}))
[ "$each" -ge 1 ] || each=1
echo "campaign: ${#fuzzers[@]} fuzzers, ${each}s each, corpora in $camp"
printf '%-22s %5s %10s %8s %17s %17s %13s %6s  %s\n' fuzzer secs execs exec/s \
    'cov start>end' 'ft start>end' 'corpus' 'MiB' result
crashes=0
# stat LOG KEY: a number from libFuzzer's final statistics.
stat() { sed -n "s/^stat::$2: *//p" "$1" | tail -n 1; }
# cov LOG WHICH FIELD: cov/ft from the INITED line or the last status line.
cov() {
    local line
    if [ "$2" = start ]; then line=$(grep -m1 'INITED' "$1"); else line=$(grep -E '^#[0-9]+.*cov:' "$1" | tail -n 1); fi
    sed -n "s/.* $3: \([0-9]*\).*/\1/p" <<<"$line"
}
for fuzzer in "${fuzzers[@]}"; do
    name=$(basename "$fuzzer")
    corpus=$camp/$name
    if [ ! -d "$corpus" ]; then
        fuzz_seed "$here/corpus/$name" "$corpus"
    fi
    before=$(find "$corpus" -type f | wc -l)
    mkdir -p "$camp/$name-crashes"
    fuzz_flags "$name"
    log=$camp/$name.log
    nice -n 19 "$fuzzer" -max_total_time="$each" -print_final_stats=1 -rss_limit_mb=2048 \
        -timeout=10 "${flags[@]}" -artifact_prefix="$camp/$name-crashes/" "$corpus" 2>"$log"
    rc=$?
    result=ok
    if [ "$rc" -ne 0 ]; then
        crashes=$((crashes + 1))
        result="CRASH (exit $rc): $(ls -t "$camp/$name-crashes" | head -n 1); make it tests/fuzz/corpus/$name/regression-*"
    fi
    after=$(find "$corpus" -type f | wc -l)
    printf '%-22s %5s %10s %8s %17s %17s %13s %6s  %s\n' "$name" "$each" \
        "$(stat "$log" number_of_executed_units)" "$(stat "$log" average_exec_per_sec)" \
        "$(cov "$log" start cov)>$(cov "$log" end cov)" "$(cov "$log" start ft)>$(cov "$log" end ft)" \
        "$before>$after" "$(stat "$log" peak_rss_mb)" "$result"
done
echo "campaign: $crashes crash(es); logs in $camp"
[ "$crashes" -eq 0 ]

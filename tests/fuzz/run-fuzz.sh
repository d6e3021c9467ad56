#!/usr/bin/env bash
# Runs one libFuzzer target for a bounded time on a scratch copy of its seed corpus (CI).
set -euo pipefail
fuzzer=$1 seeds=$2 seconds=${3:-60}
name=$(basename "$fuzzer")
. "$(dirname "$0")/fuzz-lib.sh"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/artifacts"
fuzz_seed "$seeds" "$work/corpus"
fuzz_flags "$name"
echo "fuzz: $name for ${seconds}s on $(ls "$work/corpus" | wc -l) seeds ${flags[*]}"
"$fuzzer" -max_total_time="$seconds" -print_final_stats=1 -rss_limit_mb=2048 -timeout=10 \
    "${flags[@]}" -artifact_prefix="$work/artifacts/" "$work/corpus" 2>"$work/log" || {
    tail -n 60 "$work/log"
    for a in "$work"/artifacts/*; do
        [ -e "$a" ] || continue
        echo "crashing input (base64): $(base64 -w0 "$a")"
    done
    exit 1
}
grep -E '^(Done|stat::number_of_executed_units)' "$work/log" || tail -n 3 "$work/log"

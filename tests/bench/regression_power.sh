#!/usr/bin/env bash
# Benchmark (not a test): the statistical power and the false-positive rate of the regression
# check on the tiny image under TCG, with the wall clock and with icount. For each clock: one
# A/A run (`ringgate run --aa`) with AA_PAIRS paired samples, judged as disjoint blocks of
# BLOCK pairs (each block one A/A comparison: >= 20 of them), and one run of the slow content
# with SLOW_PAIRS pairs, from which the smallest number of pairs that detects it in >= 95 % of
# seeded random draws is found. Usage: regression_power.sh [BLOCK] [AA_PAIRS] [SLOW_PAIRS]
# (CLOCKS="wall icount" by default).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
block=${1:-6}
aa_pairs=${2:-$((20 * block))}
slow_pairs=${3:-30}
rg=${RINGGATE:-$root/build/ringgate}
bench=${BENCH:-$root/build/tests/bench_regression_power}
work=$(mktemp -d /tmp/rgp.XXXXXX)
trap 'pkill -f "guest=rg-.*$work/" 2>/dev/null; rm -rf "$work"' EXIT
export RINGGATE_STATE_DIR=$work/state RINGGATE_CATALOG=$root/images/catalog.json

scenario() { # clock pairs -> path
    local f=$work/power-$1-$2.yaml
    sed -e "s|^name: .*|name: power-$1|" \
        -e "s|\.\./\.\./\.\./images|$root/images|g" \
        -e "s|^  performance: .*|  performance: {workload: syscall, samples: $2, max_regression_pct: 15, alpha: 0.05, clock: $1}|" \
        -e "s|^  timeout_s: .*|  timeout_s: 120|" \
        -e "/^  memory:/d" tests/e2e/scenarios/regression.yaml >"$f"
    echo "$f"
}

last_run() { ls -1dt "$work"/reports/*/ | head -n 1; }

printf 'regression power on tiny/TCG: syscall workload, threshold 15 %%, alpha 0.05, blocks of %s pairs\n' "$block"
for clock in ${CLOCKS:-wall icount}; do
    start=$SECONDS
    "$rg" run -q -o "$work/reports" --aa "$(scenario "$clock" "$aa_pairs")" >/dev/null || true
    aa=$(last_run)
    "$rg" run -q -o "$work/reports" --update images/build/updates/sensor-content-slow.rgpkg \
        "$(scenario "$clock" "$slow_pairs")" >/dev/null || true
    slow=$(last_run)
    "$bench" "$clock" "$aa" "$slow" "$block" ||
        jq -r '.cells[].findings[] | select(.action == "block") | "\(.title): \(.excerpt)"' \
            "$aa/report.json" "$slow/report.json" >&2
    echo "          ($((SECONDS - start)) s for both runs)"
done

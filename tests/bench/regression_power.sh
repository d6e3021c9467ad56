#!/usr/bin/env bash
# Benchmark (not a test): the error rates of the performance verdict on the tiny image under
# TCG, as `ringgate run` decides it (three-way on the interval, sequential looks up to
# max_samples). For each configuration: one A/A run (`ringgate run --aa`) and one run of the
# slow content (+50 % on the syscall workload), each with POOL interleaved pairs; then
# COMPARISONS seeded replays per run, each drawing its pairs from the pool in a random order
# and looking at them after SAMPLES, ... up to MAX_SAMPLES pairs (bench_regression_power).
# Pairs are drawn from one pool per run, so the replays share pairs: the figures are those of
# this host at that hour, not of independent runs.
# Usage: regression_power.sh [SAMPLES] [MAX_SAMPLES] [POOL] [COMPARISONS]
# CONFIGS="wall wall+stress icount" by default (stress: stress-ng during the apply and the
# first soak, as scenarios/regression.yaml has it); icount pools hold ICOUNT_POOL pairs
# (default 40: a slow sample takes ~6 s of wall time under icount).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
samples=${1:-6}
max_samples=${2:-$((3 * samples))}
pool=${3:-120}
comparisons=${4:-200}
rg=${RINGGATE:-$root/build/ringgate}
bench=${BENCH:-$root/build/tests/bench_regression_power}
work=$(mktemp -d /tmp/rgp.XXXXXX)
trap 'pkill -f "guest=rg-.*$work/" 2>/dev/null; rm -rf "$work"' EXIT
export RINGGATE_STATE_DIR=$work/state RINGGATE_CATALOG=$root/images/catalog.json

scenario() { # config pairs -> path; all the pairs in one look, so every pair is taken
    local clock=${1%%+*} f=$work/power-${1/+/-}.yaml src=tests/e2e/scenarios/regression.yaml
    local n=$2
    [[ $1 == *+stress ]] && src=tests/e2e/scenarios/regression-stress.yaml
    sed -e "s|^name: .*|name: power-${1/+/-}|" \
        -e "s|\.\./\.\./\.\./images|$root/images|g" \
        -e "s|^  performance: .*|  performance: {workload: syscall, samples: $n, max_samples: $n, max_regression_pct: 15, alpha: 0.05, clock: $clock}|" \
        -e "s|^  timeout_s: .*|  timeout_s: 120|" \
        -e "/^  memory:/d" "$src" >"$f"
    echo "$f"
}

last_run() { ls -1dt "$work"/reports/*/ | head -n 1; }

printf 'regression power on tiny/TCG: syscall workload, threshold 15 %%, alpha 0.05, samples %s, max_samples %s;\n' \
    "$samples" "$max_samples"
printf '%s comparisons per run drawn from pools of %s pairs\n' "$comparisons" "$pool"
for config in ${CONFIGS:-wall wall+stress icount}; do
    start=$SECONDS
    n=$pool
    [[ $config == icount* ]] && n=${ICOUNT_POOL:-40}
    "$rg" run -q -o "$work/reports" --aa "$(scenario "$config" "$n")" >/dev/null || true
    aa=$(last_run)
    "$rg" run -q -o "$work/reports" --update images/build/updates/sensor-content-slow.rgpkg \
        "$(scenario "$config" "$n")" >/dev/null || true
    slow=$(last_run)
    "$bench" "$config" "$aa" "$slow" "$samples" "$max_samples" "$comparisons" ||
        jq -r '.cells[].findings[] | "\(.class): \(.title): \(.excerpt)"' \
            "$aa/report.json" "$slow/report.json" >&2
    jq -r '.cells[0].metrics[] | select(.decides and .kind == "performance") |
        "             pool: shift \(.shift_pct * 10 | round / 10) % [\(.ci_low_pct * 10 | round / 10), \(.ci_high_pct * 10 | round / 10)], noise \(.noise_pct * 10 | round / 10) % per sample"' \
        "$aa/report.json" "$slow/report.json"
    echo "             ($((SECONDS - start)) s for both runs)"
done

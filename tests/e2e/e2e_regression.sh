#!/usr/bin/env bash
# Paired measurement with real VMs: slow content blocks as a perf regression on the hooked
# workload, leaking content as a memory regression, good content under stress is not blocked.
# Only what holds at these sample sizes is asserted: the slow content's +50 % blocks; the
# good content's verdict may be undecided (perf-inconclusive, a warning) but never a block.
. "$(dirname "$0")/lib.sh"

metric() { # cell metric name, jq filter on it
    jq -e --arg n "$1" ".cells[0].metrics[] | select(.name == \$n) | $2" "$run/report.json" >/dev/null
}

run_gate "$scen/regression.yaml" --update "$updates/sensor-content-slow.rgpkg"
check "slow content: exit 1" [ "$rc" -eq 1 ]
check "slow content: a blocking perf-regression on the syscall workload" \
    jq -e '[.cells[0].findings[] | select(.class=="perf-regression" and .action=="block")
            | .title | test("syscall")] | any' "$run/report.json"
check "slow content: the deciding metric is marked and judged a regression" \
    metric syscall.wall_ms '.decides and .verdict == "regression" and .p_value <= 0.05'
check "slow content: both sides sampled alike, interleaved, up to a look of the design" \
    metric syscall.wall_ms '(.baseline | length) >= 6 and (.baseline | length) == (.candidate | length) and
        (.baseline | length) == .looks[-1].pairs and (.baseline | length) <= 18 and
        .baseline_t[0] < .candidate_t[0] and .candidate_t[1] < .baseline_t[1]'
check "slow content: the whole interval above the threshold" \
    metric syscall.wall_ms '.ci_low_pct > 15 and .ci_low_pct <= .shift_pct and .shift_pct <= .ci_high_pct'
check "slow content: the noise and the smallest detectable shift are reported" \
    metric syscall.wall_ms '.noise_pct > 0 and .mde_pct > 0 and .mde_first_pct >= .mde_pct'
check "slow content: no memory regression" \
    jq -e '[.cells[0].findings[] | select(.class=="memory-regression")] | length == 0' "$run/report.json"
check "slow content: the baseline twin booted and is in the report" \
    jq -e '.cells[0].twin.boots[0].outcome == "ready" and (.cells[0].twin.console_log | test("console-twin"))' "$run/report.json"
check "slow content: JUnit valid" junit_valid

run_gate "$scen/regression.yaml" --update "$updates/sensor-content-leak.rgpkg"
check "leaking content: exit 1" [ "$rc" -eq 1 ]
check "leaking content: a blocking memory-regression" \
    jq -e '[.cells[0].findings[] | select(.class=="memory-regression" and .action=="block")] | length >= 1' "$run/report.json"
check "leaking content: unreclaimable slab grows faster than the baseline's" \
    metric mem.slab_unreclaim_mib '.slope_candidate_per_min > .slope_baseline_per_min and .growth > 2'
check "leaking content: the sensor's own counter agrees" \
    metric agent.leaked_mib '.candidate[-1] > .candidate[0]'

run_gate "$scen/regression-stress.yaml" --update "$updates/sensor-content-0292-good.rgpkg"
check "good content under stress: exit 0" [ "$rc" -eq 0 ]
check "good content under stress: stress-ng ran during the apply" \
    jq -e '[.cells[0].events[] | select(.type=="stress")] | length >= 2' "$run/report.json"
check "good content under stress: no regression finding, nothing blocks" \
    jq -e '[.cells[0].findings[] | select(.class=="perf-regression" or .class=="memory-regression"
            or .action=="block")] | length == 0' "$run/report.json"
check "good content under stress: the deciding metric passed or could not tell, never a regression" \
    metric syscall.wall_ms '.decides and (.verdict | IN("pass", "significant-below-threshold", "inconclusive"))'
check "good content under stress: every metric has samples of both sides" \
    jq -e '[.cells[0].metrics[] | (.baseline | length) > 0 and (.candidate | length) > 0] | all' "$run/report.json"
run_gate --aa "$scen/regression.yaml"
check "A/A: exit 0 (false positives never block)" [ "$rc" -eq 0 ]
check "A/A: nothing was applied" \
    jq -e '[.cells[0].events[] | select(.type=="applied")] | length == 0' "$run/report.json"
check "A/A: the report counts the comparisons, false blocks and inconclusive metrics" \
    jq -e '.options.aa and .aa.comparisons >= 1 and (.aa.false_positives | type) == "number" and
           (.aa.false_blocks | type) == "number" and (.aa.inconclusive | type) == "number"' "$run/report.json"
check "A/A: every performance metric reports its noise and smallest detectable shift" \
    jq -e '[.cells[0].metrics[] | select(.kind == "performance") | .noise_pct >= 0 and .mde_pct > 0] | all' "$run/report.json"
check "A/A: the summary states the false-block count" grep -q "false block(s)" "$work/run.out"
finish

#!/usr/bin/env bash
# Channel File 291's twin: refused by the validator before any boot; with --boot-anyway it
# crashes in rg_sensor live, boot-loops, and the rollback is proven. Then an engineer
# reproduces the blocked cell (same finding, VM kept, the printed clean-up removes it) and
# bundles it.
. "$(dirname "$0")/lib.sh"

printf 'ringgate_last_pass_timestamp_seconds 1700000000\n' >"$work/m.prom"
run_gate "$scen/content.yaml" --update "$updates/sensor-content-0291.rgpkg" \
    --metrics "$work/m.prom" --github-annotations
check "validator alone: exit 1" [ "$rc" -eq 1 ]
check "  --github-annotations: the refusal as an ::error naming the field" \
    grep -q '^::error title=ringgate%3A content-rejected (e2e-content)::.*field 21' "$work/run.out"
check "  --metrics: the run blocked" \
    grep -qx 'ringgate_run_verdict{verdict="block"} 1' "$work/m.prom"
check "  --metrics: the last pass kept from the file it replaced" \
    grep -qx 'ringgate_last_pass_timestamp_seconds 1700000000' "$work/m.prom"
check "validator alone: content-rejected, nothing booted" \
    [ "$(jq_report '[.cells[].findings[].class] | join(",")')" = content-rejected ] 
check "validator alone: no boot" [ "$(jq_report '[.cells[].boots[]] | length')" -eq 0 ]
check "validator names field 21" \
    jq -e '.scenarios[0].validator.errors | map(test("field 21")) | any' "$run/report.json"

run_gate "$scen/content.yaml" --update "$updates/sensor-content-0291.rgpkg" --boot-anyway
check "exit 1 (blocked)" [ "$rc" -eq 1 ]
check "verdict block" [ "$(jq_report .verdict)" = block ]
check "crash in rg_sensor_eval" [ "$(jq_report '[.cells[0].findings[] | select(.class=="crash")][0].title')" = \
    "BUG: unable to handle kernel NULL pointer dereference in rg_sensor_eval" ]
check "crash has its console line and excerpt" \
    jq -e '[.cells[0].findings[] | select(.class=="crash")][0] | (.console_line > 0) and (.excerpt | test("RIP: 0010:rg_sensor_eval"))' "$run/report.json"
check "boot loop named after rg_sensor" \
    jq -e '[.cells[0].findings[] | select(.class=="boot-loop")][0].title | test("rg_sensor")' "$run/report.json"
check "validator refusal reported too" \
    jq -e '[.cells[0].findings[] | select(.class=="content-rejected")] | length == 1' "$run/report.json"
check "junit.xml valid against the Ant JUnit schema" junit_valid
check "junit: the crash testcase fails with its title" \
    grep -q 'name="crash".*<failure message="BUG: unable to handle kernel NULL pointer dereference in rg_sensor_eval"' <(tr -d '\n' <"$run/junit.xml" | sed 's/<testcase/\n<testcase/g')
check "rollback: revert pass" [ "$(jq_report .cells[0].rollback.revert)" = pass ]
check "rollback: safe mode pass" [ "$(jq_report .cells[0].rollback.safe_mode)" = pass ]
check "deduplicated crash counted over boots" \
    jq -e '[.findings[] | select(.class=="crash")][0].count >= 2' "$run/report.json"
check "the line the console log names is the crash" \
    grep -q "BUG: kernel NULL pointer dereference" <(sed -n "$(jq_report '[.cells[0].findings[] | select(.class=="crash")][0].console_line')p" "$run/$(jq_report .cells[0].console_log)")

# ---- reproduce and bundle the blocked cell ----
first=$run
title=$(jq_report '[.cells[0].findings[] | select(.class=="crash")][0].title')
"$RINGGATE" reproduce "$first" --cell nosuch-cell >"$work/r.out" 2>&1
check "reproduce: an unknown cell exits 2" [ $? -eq 2 ]
check "  listing the run's cells" grep -q "e2e-content/tiny-1c-256m" "$work/r.out"
mkdir -p "$work/changed" && cp -r "$first"/. "$work/changed/"
jq '.scenarios[0].sha256 = "0000000000000000000000000000000000000000000000000000000000000000"' \
    "$first/report.json" >"$work/changed/report.json"
"$RINGGATE" reproduce "$work/changed" --cell tiny-1c-256m >"$work/r.out" 2>&1
check "reproduce: a scenario changed since the run exits 2, before any boot" [ $? -eq 2 ]
check "  naming the scenario and its digests" grep -q "content.yaml.*the scenario changed since run" "$work/r.out"

"$RINGGATE" reproduce "$first" --cell tiny-1c-256m --keep -o "$out" >"$work/keep.out" 2>&1 &
rpid=$!
for ((i = 0; i < 1800; i++)); do grep -q "clean up:" "$work/keep.out" && break; sleep 0.1; done
check "reproduce --keep: the failed cell's VM is kept, with instructions" grep -q "kept for inspection" "$work/keep.out"
check "  exactly one VM left running" [ "$(pgrep -fc "guest=rg-.*$work/")" -eq 1 ]
check "  the console log path is printed and the log is there" \
    test -s "$(sed -n 's/^  console log: \([^ ]*\).*/\1/p' "$work/keep.out")"
cleanup_cmd=$(sed -n 's/^  clean up:.*, or \(kill -INT [0-9]*\).*/\1/p' "$work/keep.out")
check "  a clean-up command is printed" [ -n "$cleanup_cmd" ]
$cleanup_cmd
wait $rpid
rrc=$?
check "reproduce: exit 1 (blocked again)" [ "$rrc" -eq 1 ]
for ((i = 0; i < 100; i++)); do pgrep -f "guest=rg-.*$work/" >/dev/null || break; sleep 0.1; done
check "  the printed clean-up removed the VM" no_qemu_left
run=$(ls -1dt "$out"/*/ | head -n 1)
run=${run%/}
check "reproduce: a new report folder" [ "$run" != "$first" ]
check "reproduce: the same finding title" \
    [ "$(jq_report '[.cells[0].findings[] | select(.class=="crash")][0].title')" = "$title" ]
check "reproduce: only that cell ran" [ "$(jq_report '.cells | length')" -eq 1 ]

"$RINGGATE" bundle "$first" --cell tiny-1c-256m -o "$work/b1.tar.gz" >/dev/null 2>"$work/b.err"
check "bundle: written" [ -s "$work/b1.tar.gz" ]
for member in README.txt cell.json images.json scenario/content.yaml \
    packages/sensor-content-0291.rgpkg packages/sensor-content-0290.rgpkg keys/vendor.pub \
    run/report.json run/cells/e2e-content/tiny-1c-256m/console.log; do
    check "bundle: has $member" grep -q "/$member\$" <(tar tzf "$work/b1.tar.gz")
done
"$RINGGATE" bundle "$first" --cell tiny-1c-256m -o "$work/b2.tar.gz" >/dev/null 2>&1
check "bundle: the same bytes twice" cmp -s "$work/b1.tar.gz" "$work/b2.tar.gz"
finish

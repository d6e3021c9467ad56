#!/usr/bin/env bash
# Channel File 291's twin: refused by the validator before any boot; with --boot-anyway it
# crashes in rg_sensor live, boot-loops, and the rollback is proven.
. "$(dirname "$0")/lib.sh"

run_gate "$scen/content.yaml" --update "$updates/sensor-content-0291.rgpkg"
check "validator alone: exit 1" [ "$rc" -eq 1 ]
check "validator alone: content-rejected, nothing booted" \
    [ "$(jq_report '[.cells[].findings[].class] | join(",")')" = content-rejected ] 
check "validator alone: no boot" [ "$(jq_report '[.cells[].boots[]] | length')" -eq 0 ]
check "validator names field 21" \
    jq -e '.scenarios[0].validator.errors | map(test("field 21")) | any' "$run/report.json"

run_gate "$scen/content.yaml" --update "$updates/sensor-content-0291.rgpkg" --boot-anyway
check "exit 1 (blocked)" [ "$rc" -eq 1 ]
check "verdict block" [ "$(jq_report .verdict)" = block ]
check "crash in rg_sensor_eval" [ "$(jq_report '[.cells[0].findings[] | select(.class=="crash")][0].title')" = \
    "BUG: kernel NULL pointer dereference in rg_sensor_eval" ]
check "crash has its console line and excerpt" \
    jq -e '[.cells[0].findings[] | select(.class=="crash")][0] | (.console_line > 0) and (.excerpt | test("RIP: 0010:rg_sensor_eval"))' "$run/report.json"
check "boot loop named after rg_sensor" \
    jq -e '[.cells[0].findings[] | select(.class=="boot-loop")][0].title | test("rg_sensor")' "$run/report.json"
check "validator refusal reported too" \
    jq -e '[.cells[0].findings[] | select(.class=="content-rejected")] | length == 1' "$run/report.json"
check "junit.xml valid against the Ant JUnit schema" junit_valid
check "junit: the crash testcase fails with its title" \
    grep -q 'name="crash".*<failure message="BUG: kernel NULL pointer dereference in rg_sensor_eval"' <(tr -d '\n' <"$run/junit.xml" | sed 's/<testcase/\n<testcase/g')
check "rollback: revert pass" [ "$(jq_report .cells[0].rollback.revert)" = pass ]
check "rollback: safe mode pass" [ "$(jq_report .cells[0].rollback.safe_mode)" = pass ]
check "deduplicated crash counted over boots" \
    jq -e '[.findings[] | select(.class=="crash")][0].count >= 2' "$run/report.json"
check "the line the console log names is the crash" \
    grep -q "BUG: kernel NULL pointer dereference" <(sed -n "$(jq_report '[.cells[0].findings[] | select(.class=="crash")][0].console_line')p" "$run/$(jq_report .cells[0].console_log)")
finish

#!/usr/bin/env bash
# A kernel WARNING follows the scenario's action: reported under warn, blocking under block.
. "$(dirname "$0")/lib.sh"

run_gate "$scen/content.yaml" --update "$updates/sensor-content-warn.rgpkg"
check "warning: warn -> exit 0" [ "$rc" -eq 0 ]
check "warning finding recorded, not blocking" \
    jq -e '[.cells[0].findings[] | select(.class=="warning" and .action=="warn")] | length >= 1' "$run/report.json"
check "warning names the driver" \
    jq -e '[.cells[0].findings[] | select(.class=="warning")][0].title | test("rg_sensor")' "$run/report.json"

run_gate "$scen/content-warn-blocks.yaml" --update "$updates/sensor-content-warn.rgpkg"
check "warning: block -> exit 1" [ "$rc" -eq 1 ]
check "verdict block" [ "$(jq_report .verdict)" = block ]
finish

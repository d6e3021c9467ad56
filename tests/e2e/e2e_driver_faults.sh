#!/usr/bin/env bash
# Driver updates take effect at the next boot: one that crashes in module init boot-loops,
# one whose init never returns hangs the boot with no crash message, one that crashes a few
# seconds after every ready line is a crash loop that ends and goes on to its rollback.
. "$(dirname "$0")/lib.sh"

run_gate "$scen/driver.yaml" --update "$updates/sensor-driver-1.1.0-bootcrash.rgpkg"
check "bootcrash: exit 1" [ "$rc" -eq 1 ]
check "bootcrash: boot-loop finding" \
    jq -e '[.cells[0].findings[] | select(.class=="boot-loop" and .action=="block")] | length == 1' "$run/report.json"
check "bootcrash: the crash is in rg_sensor's init" \
    jq -e '[.cells[0].findings[] | select(.class=="crash")][0].title | test("rg_sensor_init")' "$run/report.json"

run_gate "$scen/driver.yaml" --update "$updates/sensor-driver-1.1.0-hang.rgpkg"
check "hang: exit 1" [ "$rc" -eq 1 ]
check "hang: hang finding" \
    jq -e '[.cells[0].findings[] | select(.class=="hang" and .action=="block")] | length == 1' "$run/report.json"
check "hang: no crash finding" \
    jq -e '[.cells[0].findings[] | select(.class=="crash")] | length == 0' "$run/report.json"
check "hang: the last boot is a hang" [ "$(jq_report '.cells[0].boots[-1].outcome')" = hang ]
run_gate "$scen/driver-latecrash.yaml" --update "$updates/sensor-driver-1.1.0-latecrash.rgpkg"
check "latecrash: exit 1" [ "$rc" -eq 1 ]
check "latecrash: a blocking crash-loop finding" \
    jq -e '[.cells[0].findings[] | select(.class=="crash-loop" and .action=="block")] | length == 1' "$run/report.json"
check "latecrash: the crash is in the periodic scan of rg_sensor" \
    jq -e '[.cells[0].findings[] | select(.class=="crash")][0] | (.title | test("rg_sensor_scan")) and .module == "rg_sensor"' "$run/report.json"
check "latecrash: every crashed boot had reached ready first" \
    jq -e '[.cells[0].boots[] | select(.outcome=="crash")] | (length >= 3) and all(.ready_s != null and .ready_s >= 0)' "$run/report.json"
check "latecrash: the cell ended: candidate and reboots bounded, then the rollback" \
    jq -e '([.cells[0].boots[] | select(.phase=="candidate" or .phase=="reboot")] | length) <= 4 and
           .cells[0].rollback.revert == "pass"' "$run/report.json"
check "latecrash: each reason once" \
    jq -e '(.reasons | length) == (.reasons | unique | length)' "$run/report.json"
finish

#!/usr/bin/env bash
# Driver updates take effect at the next boot: one that crashes in module init boot-loops,
# one whose init never returns hangs the boot with no crash message, one that crashes a few
# seconds after every ready line is a crash loop that ends and goes on to its rollback, one
# that freezes the guest silently after the ready line is a hang its liveness probes find.
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

run_gate "$scen/driver-freeze.yaml" --update "$updates/sensor-driver-1.1.0-freeze.rgpkg"
check "freeze: exit 1" [ "$rc" -eq 1 ]
check "freeze: a blocking hang: the guest stopped responding during its soak" \
    jq -e '[.cells[0].findings[] | select(.class=="hang" and .action=="block")][0].title | test("stopped responding .* into the soak")' "$run/report.json"
check "freeze: the frozen boot had reached ready, and it is the hang" \
    jq -e '[.cells[0].boots[] | select(.outcome=="hang")] | length == 1 and (.[0].ready_s != null) and .[0].phase == "reboot"' "$run/report.json"
check "freeze: caught before the kernel's soft-lockup report" \
    jq -e '[.cells[0].findings[] | select(.class=="crash")] | length == 0' "$run/report.json"
check "freeze: the healthy boot before it rebooted clean" \
    jq -e '[.cells[0].boots[] | select(.phase=="candidate")][0].shutdown == "clean"' "$run/report.json"
check "freeze: the rollback passes" [ "$(jq_report .cells[0].rollback.revert)" = pass ]
finish

#!/usr/bin/env bash
# SIGINT in the middle of a run: the cells are aborted, the report is complete and valid,
# and no VM, overlay or state is left. SIGKILL leaves VMs behind: `ringgate gc` removes them.
. "$(dirname "$0")/lib.sh"

wait_for() { # pattern file seconds
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        grep -q "$1" "$2" 2>/dev/null && return 0
        sleep 0.1
    done
    return 1
}

"$RINGGATE" run -o "$out" "$scen/content.yaml" --update "$updates/sensor-content-0292-good.rgpkg" \
    >"$work/run.out" 2>&1 &
pid=$!
check "SIGINT: the run got to a boot" wait_for "boot 1 ready" "$work/run.out" 90
kill -INT "$pid"
wait "$pid"
rc=$?
run=$(ls -1dt "$out"/*/ | head -n 1)
run=${run%/}
tail -n 5 "$work/run.out"
check "SIGINT: exit 3" [ "$rc" -eq 3 ]
check "SIGINT: report is valid JSON" jq -e . "$run/report.json" >/dev/null
check "SIGINT: the run is aborted" [ "$(jq_report .verdict)" = aborted ]
check "SIGINT: the cell is aborted" [ "$(jq_report '.cells[0].verdict')" = aborted ]
check "SIGINT: no temporary report file" [ -z "$(ls "$run" | grep '\.tmp')" ]
check "SIGINT: no QEMU left" no_qemu_left
check "SIGINT: no overlay left" state_clean

"$RINGGATE" run -o "$out" "$scen/content.yaml" --update "$updates/sensor-content-0292-good.rgpkg" \
    >"$work/run2.out" 2>&1 &
pid=$!
check "SIGKILL: the run started a VM" wait_for "boot 1 (baseline)" "$work/run2.out" 30
for ((i = 0; i < 100; i++)); do pgrep -f "guest=rg-.*$work/" >/dev/null && break; sleep 0.1; done
kill -KILL "$pid"
wait "$pid" 2>/dev/null
check "SIGKILL: a VM outlived ringgate" pgrep -f "guest=rg-.*$work/" >/dev/null
check "SIGKILL: its state is left" [ -n "$(ls -A "$RINGGATE_STATE_DIR/runs" 2>/dev/null)" ]
"$RINGGATE" gc | tee "$work/gc.out"
check "gc: removed the dead run" grep -q "1 dead run removed" "$work/gc.out"
check "gc: destroyed its VM" grep -q "1 domain destroyed" "$work/gc.out"
finish

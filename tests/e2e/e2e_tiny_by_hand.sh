#!/usr/bin/env bash
# The tiny image booted by hand with plain QEMU, as images/README.md tells an engineer to (no
# ringgate, no libvirt): it prints the ready line; the 0291 package, attached as a raw disk and
# installed from the guest's console shell with rg-install, crashes the running kernel in
# rg_sensor and then every boot after it; the same disk with ringgate.safe=1 boots clean.
# RG_KEEP_LOG=FILE keeps the console of the 0291 boots.
. "$(dirname "$0")/lib.sh"

img=$root/images/build/tiny
cmdline=$(jq -r .images.tiny.cmdline "$root/images/catalog.json")
overlay=$work/t.qcow2
qemu-img create -q -f qcow2 -b "$img/disk.qcow2" -F qcow2 "$overlay"
qpid=
stop_qemu() {
    [ -z "$qpid" ] || { kill "$qpid" 2>/dev/null; wait "$qpid" 2>/dev/null; }
    qpid=
}
trap 'stop_qemu; cleanup' EXIT

# Boots with the README's command line plus $@ (extra QEMU arguments), the serial console on a
# pair of fifos: $work/con.log collects what the guest prints, fd 3 types on its console.
boot() { # append extra-qemu-args...
    local append=$1
    shift
    rm -f "$work/con.in" "$work/con.out" "$work/con.log"
    mkfifo "$work/con.in" "$work/con.out"
    qemu-system-x86_64 -accel tcg -m 256 -display none -monitor none \
        -kernel "$img/vmlinux" -initrd "$img/initrd.img" -append "$cmdline$append" \
        -drive "file=$overlay,if=virtio,format=qcow2" \
        -chardev "pipe,id=con,path=$work/con" -serial chardev:con "$@" </dev/null 2>"$work/qemu.err" &
    qpid=$!
    cat "$work/con.out" >"$work/con.log" &
    exec 3>"$work/con.in"
}

wait_for() { # pattern count seconds: until the console shows pattern count times
    local i
    for ((i = 0; i < $3 * 10; i++)); do
        [ "$(grep -c -- "$1" "$work/con.log" 2>/dev/null)" -ge "$2" ] && return 0
        kill -0 "$qpid" 2>/dev/null || return 1
        sleep 0.1
    done
    return 1
}

# 1. The ready line, with the baseline installed.
boot "" -no-reboot
check "plain QEMU boot prints the ready line" wait_for 'RINGGATE-READY boot=1 sensor=1.0.0 content=0290 safe=0' 1 60
stop_qemu
exec 3>&-

# 2. 0291 installed from the console: a crash at once, then at every boot (panic=-1 reboots;
# -action panic=none so that QEMU does not stop at the pvpanic event).
boot "" -device pvpanic -action panic=none \
    -drive "file=$updates/sensor-content-0291.rgpkg,if=virtio,format=raw,readonly=on"
check "second boot reaches ready" wait_for 'RINGGATE-READY boot=2 ' 1 60
sleep 0.5
echo "rg-install /dev/vdb" >&3
check "the installer took 0291" wait_for 'RINGGATE-INSTALLED kind=content version=0291' 1 30
# One panic per boot; each report names its faulting function twice (the oops, the summary).
panic='Kernel panic - not syncing'
check "the running kernel crashes in rg_sensor at once" wait_for 'RIP: 0010:rg_sensor_eval+.*\[rg_sensor\]' 1 30
check "it panics" wait_for "$panic" 1 30
check "and panics again at the next boot (boot 3)" wait_for "$panic" 2 60
check "and the one after (boot 4): a boot loop" wait_for "$panic" 3 60
stop_qemu
exec 3>&-
[ -z "${RG_KEEP_LOG:-}" ] || cp "$work/con.log" "$RG_KEEP_LOG"
n=$(grep -c "$panic" "$work/con.log")
check "every panic is a NULL dereference ($n panics)" \
    [ "$(grep -c 'BUG: kernel NULL pointer dereference' "$work/con.log")" -eq "$n" ]
check "every one in rg_sensor_eval" \
    [ "$(grep -c 'RIP: 0010:rg_sensor_eval+.*\[rg_sensor\]' "$work/con.log")" -ge "$n" ]
check "no ready line after the install" [ "$(grep -c 'RINGGATE-READY' "$work/con.log")" -eq 1 ]

# 3. Safe mode: the same disk boots clean without the sensor.
boot " ringgate.safe=1" -no-reboot
check "ringgate.safe=1 boots clean" wait_for 'RINGGATE-READY boot=[0-9]* sensor=none content=none safe=1' 1 60
check "no crash in safe mode" bash -c "! grep -q 'rg_sensor_eval' '$work/con.log'"
stop_qemu
exec 3>&-
finish

#!/usr/bin/env bash
# Benchmark (not a test): the tiny guest booted to its ready line N times by bare QEMU and by
# ringgate (a one-cell run through the embedded libvirt driver), medians and their ratio;
# the guest's own uptime at that line (the images' target: under 3 s of guest time under TCG);
# and the crash-to-verdict latency of the 0291 update. Usage: boot_overhead.sh [N]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
n=${1:-5}
rg=${RINGGATE:-$root/build/ringgate}
img=$root/images/build/tiny
work=$(mktemp -d /tmp/rgb.XXXXXX)
trap 'pkill -f "$work" 2>/dev/null; rm -rf "$work"' EXIT
export RINGGATE_STATE_DIR=$work/state
cmdline=$(jq -r .images.tiny.cmdline images/catalog.json)
kernel=$root/images/$(jq -r .images.tiny.kernel images/catalog.json) # what ringgate boots too

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

bare_boot() { # seconds from exec to the ready line
    rm -f "$work/bare.qcow2" "$work/bare.log"
    qemu-img create -q -f qcow2 -b "$img/disk.qcow2" -F qcow2 "$work/bare.qcow2"
    local start end pid
    start=$(date +%s.%N)
    qemu-system-x86_64 -accel tcg -machine pc -m 256 -smp 1 -display none -no-reboot \
        -kernel "$kernel" -initrd "$img/initrd.img" -append "$cmdline" \
        -drive "file=$work/bare.qcow2,if=virtio,format=qcow2" -device pvpanic \
        -device i6300esb -device virtio-serial -monitor none \
        -serial "file:$work/bare.log" </dev/null 2>/dev/null &
    pid=$!
    until grep -q RINGGATE-READY "$work/bare.log" 2>/dev/null; do sleep 0.02; done
    end=$(date +%s.%N)
    sleep 0.2 # the rest of the ready line: its uptime is its last field
    kill "$pid"
    wait "$pid" 2>/dev/null || true
    grep -o 'RINGGATE-READY .*uptime=[0-9.]*' "$work/bare.log" | sed 's/.*uptime=//' >>"$work/bare-up.txt"
    echo "$end - $start" | bc
}

cat >"$work/boot.yaml" <<EOT
name: boot-overhead
update: {package: $root/images/build/updates/sensor-content-0292-good.rgpkg}
baseline: {package: $root/images/build/updates/sensor-content-0290.rgpkg}
trust: {keys: [$root/images/build/keys/vendor.pub]}
images: $root/images/catalog.json
matrix: {image: tiny, vcpus: 1, memory_mib: 256}
boot: {timeout_s: 60, reboots: 0, soak_s: 0}
EOT

echo "boot_overhead: $n boots each, tiny image, TCG"
: >"$work/bare.txt"
: >"$work/rg.txt"
: >"$work/bare-up.txt"
: >"$work/rg-up.txt"
for ((i = 1; i <= n; i++)); do
    bare_boot >>"$work/bare.txt"
    # A run boots the baseline: power-on (domain start) to the ready line, as ringgate saw it.
    "$rg" run -q -o "$work/reports" "$work/boot.yaml" >/dev/null || true
    r=$(ls -1dt "$work"/reports/*/ | head -n 1)
    jq -r '.cells[0].boots[0] | .ready_s - .start_s' "$r/report.json" >>"$work/rg.txt"
    jq -r '.cells[0].boots[0].ready.uptime' "$r/report.json" >>"$work/rg-up.txt"
done
b=$(median <"$work/bare.txt")
g=$(median <"$work/rg.txt")
printf 'bare qemu   median %.2f s  (%s)\n' "$b" "$(tr '\n' ' ' <"$work/bare.txt")"
printf 'ringgate    median %.2f s  (%s)\n' "$g" "$(tr '\n' ' ' <"$work/rg.txt")"
printf 'ratio ringgate/bare: %.2f (target <= 1.10)\n' "$(echo "$g / $b" | bc -l)"
printf 'guest uptime at ready: bare median %.2f s, ringgate median %.2f s (target < 3 s)  (%s| %s)\n' \
    "$(median <"$work/bare-up.txt")" "$(median <"$work/rg-up.txt")" \
    "$(tr '\n' ' ' <"$work/bare-up.txt")" "$(tr '\n' ' ' <"$work/rg-up.txt")"

"$rg" run -q -o "$work/reports" "$work/boot.yaml" --boot-anyway \
    --update "$root/images/build/updates/sensor-content-0291.rgpkg" >/dev/null || true
r=$(ls -1dt "$work"/reports/*/ | head -n 1)
lat=$(jq -r '.cells[0] | .verdict_s - ([.events[] | select(.type=="crash-start")][0].t)' "$r/report.json")
printf 'crash-to-verdict latency (0291): %.3f s (target <= 0.2 s)\n' "$lat"

#!/usr/bin/env bash
# Boots the tiny image's kernel with rg_faults.ko loaded in each mode and saves the real
# console output as tests/console/real-fault-<mode>.log. Run by hand (not by the tests):
#   tests/console/faults/capture.sh [mode...]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
img=$here/../../../images/build/tiny
kv=$(ls /lib/modules | sort -V | tail -n 1)
work=$(mktemp -d /tmp/rgf.XXXXXX)
trap 'rm -rf "$work"' EXIT
modes=("$@")
[ ${#modes[@]} -gt 0 ] || modes=(null bug warn softlockup hungtask listcorrupt uaf refcount divide stackoverflow)

cp "$here/rg_faults.c" "$here/Kbuild" "$work/"
make -s -C "/lib/modules/$kv/build" M="$work" modules >/dev/null 2>&1
mkdir -p "$work/root/lib/modules"
cp "$work/rg_faults.ko" "$work/root/lib/modules/"
cat >"$work/root/init" <<'EOT'
#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
while read -r mod when; do insmod "/lib/modules/$mod" 2>/dev/null; done </lib/modules/load.order
mode=$(sed -n 's/.*rgfault=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "ringgate-guest: loading rg_faults mode=$mode"
insmod /lib/modules/rg_faults.ko mode=$mode
echo "ringgate-guest: rg_faults returned"
while true; do sleep 3600; done
EOT
chmod +x "$work/root/init"
(cd "$work/root" && find . | cpio --quiet -o -H newc -R 0:0) >"$work/extra.cpio"
cat "$img/initrd.img" "$work/extra.cpio" >"$work/initrd.img"
for m in "${modes[@]}"; do
    timeout 45 qemu-system-x86_64 -accel tcg -m 256 -nographic -no-reboot -monitor none \
        -kernel "$here/../../../images/$(jq -r .images.tiny.kernel "$here/../../../images/catalog.json")" -initrd "$work/initrd.img" \
        -append "console=ttyS0 panic=-1 oops=panic loglevel=5 watchdog_thresh=2 sysctl.kernel.hung_task_timeout_secs=3 slub_debug=P rgfault=$m" \
        -device pvpanic </dev/null 2>/dev/null |
        tr -d '\r' | sed -e 's/\x1b\[[0-9;?]*[a-zA-Z]//g' -e 's/\x1bc//g' |
        grep -av -e '^SeaBIOS' -e '^iPXE' -e '^Booting from' -e 'Press Ctrl-B' -e '^$' \
            >"$here/../real-fault-$m.log" || true
    echo "$m: $(wc -l <"$here/../real-fault-$m.log") lines"
done

#!/usr/bin/env bash
# Real libvirt daemons instead of the embedded driver: one shard of a 2-cell scenario through a
# libvirtd reached as qemu:///system, the other through qemu+ssh:// to a second libvirtd behind
# an sshd (a second "host" on this machine), and the clear errors: the daemon down, a wrong
# port, an image the remote host cannot see, a host with neither KVM nor TCG.
#
# Everything runs in a private mount namespace: the daemons get tmpfs over /run/libvirt,
# /var/lib/libvirt, /var/log/libvirt and their own /etc/libvirt (qemu.conf below), so a
# libvirtd the machine may run itself is neither seen nor disturbed, and nothing is left
# behind when the test ends. The "remote host" is a second namespace inside that one (tmpfs
# over all of /run) with its own libvirtd and an sshd on a high port, with keys made here;
# /etc/ssh and ~/.ssh are not touched. Both hosts see the same files: images and ringgate's
# state folder (its overlays) are at the same paths on both, which is what a real remote host
# needs too (README: "Real daemons and remote hosts").
if [ -z "${RG_DAEMONS_NS:-}" ]; then
    if [ "$(id -u)" -ne 0 ] || ! command -v libvirtd >/dev/null || ! [ -x /usr/sbin/sshd ] ||
        ! command -v unshare >/dev/null; then
        if [ "${CI:-}" = true ]; then
            echo "FAIL: needs root, libvirtd, sshd, unshare (CI=true)"
            exit 1
        fi
        echo "SKIPPED: needs root, libvirtd (libvirt-daemon-system), sshd (openssh-server), unshare"
        exit 0
    fi
    RG_DAEMONS_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
. "$(dirname "$0")/lib.sh"

pids=()
stop_daemons() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do
        for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$p" 2>/dev/null
    done
    pids=()
}
stop_all() {
    local f
    for f in "$work"/*.pid "$work"/ssh/sshd.pid; do
        # Only our daemons: a pid file left by one that died may name another process now.
        [ -s "$f" ] && grep -qxE 'libvirtd|sshd' "/proc/$(cat "$f")/comm" 2>/dev/null &&
            pids+=("$(cat "$f")")
    done
    stop_daemons
    # The daemons' own logs say why one did not start or refused a domain.
    [ "$failures" -eq 0 ] || tail -n 5 "$work"/libvirtd-*.log "$work"/libvirtd-*.out 2>/dev/null
    cleanup
}
trap stop_all EXIT
trap 'exit 130' INT TERM # the exit trap stops the daemons on an interrupt or a timeout too

# run_gate, then the findings' reasons: what a failed check needs to be understood.
run_daemons() {
    run_gate "$@"
    jq -r '.cells[].findings[]? | "finding: \(.title): \(.excerpt // "" | .[0:400])"' \
        "$run/report.json" 2>/dev/null | head -n 5
}

scenario=$scen/daemons.yaml
pkg=$updates/sensor-content-0292-good.rgpkg
disk=$(realpath "$root/images/build/tiny/disk.qcow2")
owner_before=$(stat -c %U:%G "$disk")
mkdir -p "$work/cache"

# A daemon's configuration. qemu runs as root with no relabelling: libvirt's defaults (qemu as
# libvirt-qemu, dynamic_ownership) chown the images a run uses (the read-only base image was
# left owned by libvirt-qemu after a run) and need every folder on the way readable by that
# user; "none" keeps AppArmor/SELinux labelling out of a test daemon. stdio_handler "file"
# spares a virtlogd per daemon.
daemon_etc() { # dir [libvirtd.conf lines...]
    local d=$1
    shift
    mkdir -p "$d"
    printf '%s\n' 'user = "root"' 'group = "root"' 'dynamic_ownership = 0' 'remember_owner = 0' \
        'security_driver = "none"' 'stdio_handler = "file"' >"$d/qemu.conf"
    printf '%s\n' "$@" >"$d/libvirtd.conf"
}

wait_for() { # seconds command...
    local n=$(($1 * 5))
    shift
    for _ in $(seq "$n"); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
    return 1
}

# The checks of a shard that ran through a daemon: label, URI, the one cell it must have run.
passed_on() {
    local log
    check "$1: exit 0 (pass)" [ "$rc" -eq 0 ]
    check "$1: report verdict pass" [ "$(jq_report .verdict)" = pass ]
    check "$1: host.uri is $2" [ "$(jq_report .host.uri)" = "$2" ]
    check "$1: its shard ran $3 only" [ "$(jq_report '[.cells[].id] | join(",")')" = "$3" ]
    check "$1: baseline, candidate and one reboot, all ready" \
        [ "$(jq_report '[.cells[0].boots[] | select(.outcome == "ready")] | length')" -eq 3 ]
    log=$run/$(jq_report '.cells[0].console_log')
    check "$1: the serial console was captured" grep -q RINGGATE-READY "$log"
    check "$1: the guest agent applied the update" \
        jq -e '.cells[0].events[] | select(.type == "applied")' "$run/report.json" >/dev/null
    check "$1: no domain left defined or running" no_domain_left "$2"
    check "$1: the base image keeps its owner ($owner_before)" \
        [ "$(stat -c %U:%G "$disk")" = "$owner_before" ]
    check "$1: no run state left" state_clean
}

domains_left() { # uri: names of the domains defined or running there
    virsh -c "$1" list --all --name 2>&1 | grep -v '^$'
}
no_domain_left() { [ -z "$(domains_left "$1")" ]; }

# ---- (a) qemu:///system: a libvirtd in this namespace, on the standard socket ----
for d in /run/libvirt /var/lib/libvirt /var/log/libvirt; do
    mkdir -p "$d" && mount -t tmpfs -o mode=755 tmpfs "$d"
done
# The QEMU capability cache is shared by both daemons: the second one starts without probing.
mount --bind "$work/cache" /var/cache/libvirt
daemon_etc "$work/etc-local" "log_outputs=\"3:file:$work/libvirtd-local.log\""
mount --bind "$work/etc-local" /etc/libvirt
t0=$(date +%s%N)
libvirtd -p "$work/libvirtd-local.pid" >"$work/libvirtd-local.out" 2>&1 &
pids+=($!)
check "local libvirtd answers on qemu:///system" wait_for 60 virsh -c qemu:///system version
echo "local libvirtd up after $((($(date +%s%N) - t0) / 1000000)) ms"

run_daemons "$scenario" --update "$pkg" --connect qemu:///system --shard 0/2
passed_on system qemu:///system tiny-1c-256m

stop_daemons
run_daemons "$scenario" --update "$pkg" --connect qemu:///system --shard 0/2
check "daemon down: exit 3 (inconclusive)" [ "$rc" -eq 3 ]
check "daemon down: the finding names the URI" \
    jq -e '.cells[0].findings[0].title == "cannot reach the hypervisor at qemu:///system"' \
    "$run/report.json" >/dev/null
check "daemon down: the output names the URI and the reason" \
    grep -q 'qemu:///system: cannot connect to the hypervisor: .*libvirt-sock' "$work/run.out"
check "daemon down: no boot" [ "$(jq_report '[.cells[].boots[]?] | length')" -eq 0 ]

# ---- (b) qemu+ssh://: a second libvirtd and an sshd in a namespace of their own ----
ssh=$work/ssh
mkdir -p "$ssh" "$work/hidden"
ssh-keygen -q -t ed25519 -N '' -f "$ssh/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$ssh/id_ed25519"
cp "$ssh/id_ed25519.pub" "$ssh/authorized_keys"
port=
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for _ in $(seq 20); do # a free port for sshd, and the next one free too (the wrong port)
    p=$(shuf -i 20000-60000 -n 1)
    listening "$p" || listening $((p + 1)) || { port=$p; break; }
done
[ -n "$port" ] || { fail "no free port for sshd"; exit 1; }
cat >"$ssh/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $ssh/host_key
PidFile $ssh/sshd.pid
AuthorizedKeysFile $ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
EOF
echo "[127.0.0.1]:$port $(cat "$ssh/host_key.pub")" >"$ssh/known_hosts"
# The client side: libvirt runs this instead of ssh (URI parameter command=), so that the host
# key is checked against our known_hosts and no user ssh configuration takes part.
cat >"$ssh/ssh" <<EOF
#!/bin/sh
exec ssh -F /dev/null -o UserKnownHostsFile=$ssh/known_hosts -o GlobalKnownHostsFile=/dev/null \
    -o StrictHostKeyChecking=yes -o BatchMode=yes "\$@"
EOF
chmod 755 "$ssh/ssh"
daemon_etc "$work/etc-remote" "log_outputs=\"3:file:$work/libvirtd-remote.log\""
# $work/hidden is empty on the remote host: the missing-image case below.
cat >"$work/remote.sh" <<EOF
set -e
mount -t tmpfs -o mode=755 tmpfs /run
# /var/lock is /run/lock: libvirt locks a console's pty there (virDomainOpenConsole).
mkdir -m 755 /run/libvirt /run/sshd
mkdir -m 1777 /run/lock
for d in /var/lib/libvirt /var/log/libvirt; do mount -t tmpfs -o mode=755 tmpfs "\$d"; done
mount --bind "$work/etc-remote" /etc/libvirt
mount -t tmpfs tmpfs "$work/hidden"
libvirtd -p "$work/libvirtd-remote.pid" >"$work/libvirtd-remote.out" 2>&1 &
echo \$! >"$work/remote-libvirtd.pid"
/usr/sbin/sshd -f "$ssh/sshd_config" -E "$ssh/sshd.log"
EOF
unshare -m --propagation private bash "$work/remote.sh"
check "remote: sshd started" wait_for 10 test -s "$ssh/sshd.pid"
remote="qemu+ssh://root@127.0.0.1:$port/system?keyfile=$ssh/id_ed25519&command=$ssh/ssh&no_tty=1"
check "remote: libvirtd answers through ssh" wait_for 60 virsh -c "$remote" version
check "remote: not the local daemon (stopped)" bash -c '! virsh -c qemu:///system version'

run_daemons "$scenario" --update "$pkg" --connect "$remote" --shard 1/2
passed_on ssh "$remote" tiny-1c-288m

# ---- (c) clear errors ----
bad=${remote/:$port\//:$((port + 1))/} # free when the port was chosen
run_daemons "$scenario" --update "$pkg" --connect "$bad" --shard 1/2
check "wrong port: exit 3 (inconclusive)" [ "$rc" -eq 3 ]
check "wrong port: the finding names the URI" \
    jq -e --arg u "$bad" '.cells[0].findings[0].title |
        startswith("cannot reach the hypervisor at " + $u[0:150])' "$run/report.json" >/dev/null
check "wrong port: the output says connection refused" grep -q "Connection refused" "$work/run.out"

# The same image under a folder only this side sees: the remote host has no such file.
mkdir -p "$work/hidden/build/tiny"
cp "$disk" "$work/hidden/build/tiny/disk.qcow2"
ln -s "$(realpath "$root/images/build/tiny/vmlinux")" "$work/hidden/build/tiny/vmlinux"
ln -s "$(realpath "$root/images/build/tiny/initrd.img")" "$work/hidden/build/tiny/initrd.img"
cp "$root/images/catalog.json" "$work/hidden/catalog.json"
RINGGATE_CATALOG=$work/hidden/catalog.json \
    run_daemons "$scenario" --update "$pkg" --connect "$remote" --shard 1/2
check "image missing remotely: exit 3 (inconclusive)" [ "$rc" -eq 3 ]
missing() {
    jq -e --arg f "$work/hidden/build/tiny/disk.qcow2" '[.cells[0].findings[].excerpt // "" |
        select(contains("image file " + $f + " not found on the host behind qemu+ssh://"))] |
        length >= 1' \
        "$run/report.json" >/dev/null
}
check "image missing remotely: the finding names the file and the host" missing
check "image missing remotely: no boot reached ready" \
    [ "$(jq_report '[.cells[].boots[]? | select(.outcome == "ready")] | length')" -eq 0 ]
check "image missing remotely: no domain left" no_domain_left "$remote"

# A host whose libvirt has no x86_64 QEMU at all (hidden behind an empty file) and no KVM: a
# third daemon on a socket of its own (qemu+unix:// with socket=).
daemon_etc "$work/etc-noemu" "log_outputs=\"3:file:$work/libvirtd-noemu.log\"" \
    "unix_sock_dir = \"$work/noemu-sock\""
mkdir -p "$work/noemu-sock" "$work/noemu-cache"
: >"$work/empty"
cat >"$work/noemu.sh" <<EOF
set -e
for d in /run/libvirt /var/lib/libvirt /var/log/libvirt; do
    mount -t tmpfs -o mode=755 tmpfs "\$d"
done
mount --bind "$work/noemu-cache" /var/cache/libvirt
mount --bind "$work/etc-noemu" /etc/libvirt
for q in /usr/bin/qemu-system-*; do mount --bind "$work/empty" "\$q"; done
libvirtd -p "$work/libvirtd-noemu.pid" >"$work/libvirtd-noemu.out" 2>&1 &
echo \$! >"$work/noemu-libvirtd.pid"
EOF
unshare -m --propagation private bash "$work/noemu.sh"
noemu="qemu+unix:///system?socket=$work/noemu-sock/libvirt-sock"
check "no accelerator: that libvirtd answers" wait_for 60 virsh -c "$noemu" uri
run_daemons "$scenario" --update "$pkg" --connect "$noemu" --shard 1/2
check "no accelerator: exit 3 (inconclusive)" [ "$rc" -eq 3 ]
check "no accelerator: the output says neither KVM nor TCG, naming the URI" \
    grep -q "the host behind $noemu offers neither KVM .* nor TCG" "$work/run.out"
check "no accelerator: no boot" [ "$(jq_report '[.cells[].boots[]?] | length')" -eq 0 ]

finish

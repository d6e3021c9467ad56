# images/debian12.sh: the debian12 guest, a debootstrapped Debian 12 with systemd, the sensor as
# a systemd unit. Sourced by images/build.sh (`images/build.sh debian12`), whose helpers and
# settings it uses (KV, out, here, log, die, make_disk, pvh_kernel, initramfs_modules, ...).
# Packages come from the mirror the host's apt is configured with (RG_DEBIAN_MIRROR overrides).
# shellcheck shell=bash disable=SC2154,SC2034 # build.sh's globals; arrays its helpers read

DEBIAN12_SUITE=bookworm
DEBIAN12_PKGS=(systemd-sysv udev kmod qemu-guest-agent stress-ng)
# Units a test guest does without: consoles nobody logs in on, logind (no D-Bus here), every
# timer (apt, fstrim, e2scrub, tmpfiles: nothing may start work while a cell measures), file
# systems and modules nothing here uses (each one a fork and a module load under TCG), and
# sysusers (the packages' users were made at install; udev waits for it at every boot).
DEBIAN12_MASK=(getty.target systemd-logind.service apt-daily.timer apt-daily-upgrade.timer
    dpkg-db-backup.timer e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer
    systemd-tmpfiles-clean.timer modprobe@dm_mod.service modprobe@loop.service
    modprobe@efi_pstore.service modprobe@fuse.service modprobe@configfs.service
    sys-kernel-config.mount sys-kernel-debug.mount sys-kernel-tracing.mount dev-hugepages.mount
    sys-fs-fuse-connections.mount proc-sys-fs-binfmt_misc.automount systemd-binfmt.service
    systemd-pstore.service systemd-sysusers.service)
# Generators for what this guest has not (LUKS, GPT auto-mounts, hibernation, SysV scripts):
# systemd runs every one before it starts any unit.
DEBIAN12_MASK_GENERATORS=(systemd-cryptsetup-generator systemd-gpt-auto-generator
    systemd-hibernate-resume-generator systemd-integritysetup-generator
    systemd-veritysetup-generator systemd-rc-local-generator systemd-system-update-generator
    systemd-sysv-generator systemd-getty-generator)

# The host's Debian mirror for the suite, from its apt sources in apt's order: one-line
# sources.list and *.list, and deb822 *.sources. Prints "URI [KEYRING]".
apt_mirror() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*; do
        [ -f "$f" ] || continue
        case $f in
        *.list)
            awk -v suite="$DEBIAN12_SUITE" '
                $1 != "deb" { next }
                {
                    kr = ""; i = 2
                    if ($2 ~ /^\[/) {
                        for (; i <= NF; i++) {
                            if ($i ~ /^\[?signed-by=/) { kr = $i; sub(/^\[?signed-by=/, "", kr); sub(/\]$/, "", kr) }
                            if ($i ~ /\]$/) { i++; break }
                        }
                    }
                    uri = $i; sui = $(i + 1); comps = ""
                    for (j = i + 2; j <= NF; j++) comps = comps " " $j
                    if (sui == suite && (comps " ") ~ / main /) print uri, kr
                }' "$f"
            ;;
        *.sources)
            awk -v suite="$DEBIAN12_SUITE" '
                function flush(   n, s, u, i) {
                    if (types ~ /(^| )deb( |$)/ && tolower(enabled) != "no" && (" " comps " ") ~ / main /) {
                        n = split(suites, s, /[ \t]+/); split(uris, u, /[ \t]+/)
                        for (i = 1; i <= n; i++) if (s[i] == suite) { print u[1], (kr ~ /^\//) ? kr : ""; break }
                    }
                    types = uris = suites = comps = kr = enabled = ""
                }
                /^#/ { next }
                /^[ \t]*$/ { flush(); next }
                /^[ \t]/ { next }
                {
                    k = tolower(substr($0, 1, index($0, ":") - 1)); v = substr($0, index($0, ":") + 1)
                    gsub(/^[ \t]+|[ \t]+$/, "", v)
                    if (k == "types") types = v; else if (k == "uris") uris = v
                    else if (k == "suites") suites = v; else if (k == "components") comps = v
                    else if (k == "signed-by") kr = v; else if (k == "enabled") enabled = v
                }
                END { flush() }' "$f"
            ;;
        esac
    done | awk 'NR == 1'
}

debian12_mirror() { # sets d12_uri and d12_keyring
    local line
    d12_keyring=
    if [ -n "${RG_DEBIAN_MIRROR:-}" ]; then
        d12_uri=$RG_DEBIAN_MIRROR
        return
    fi
    line=$(apt_mirror)
    [ -n "$line" ] || die "debian12: no 'deb' source for $DEBIAN12_SUITE main in /etc/apt/sources.list" \
        "or /etc/apt/sources.list.d/*.list|*.sources (or set RG_DEBIAN_MIRROR)"
    read -r d12_uri d12_keyring <<<"$line"
    case $d12_uri in
    http://* | https://* | file:/*) ;;
    *) die "debian12: the apt source '$d12_uri' is not http, https or file: debootstrap cannot use it (set RG_DEBIAN_MIRROR)" ;;
    esac
}

# apt's own copy of the suite's InRelease, when the host has one: a point release rebuilds.
host_release() {
    local l=${d12_uri#*://}
    l=${l%/}
    l=/var/lib/apt/lists/${l//\//_}_dists_${DEBIAN12_SUITE}_InRelease
    [ -f "$l" ] && sha256sum "$l" | cut -c1-64 || echo "no apt list"
}

hash_debian12() {
    {
        echo "$KV $DEBIAN12_SUITE $d12_uri $d12_keyring ${DEBIAN12_PKGS[*]}"
        host_release
        pkg_versions "linux-image-$KV" debootstrap busybox-static e2fsprogs qemu-utils cpio kmod
        cat "$out/sensor/.inputs"
        files_hash debian12.sh debian12 guest/rg-boot guest/rg-install updates/sensor-content-0290 build.sh
    } | sha256sum | cut -c1-64
}

# Unmounts whatever a failed debootstrap left mounted under the tree, then removes it.
debian12_clean() { # dir
    local m
    [ -e "$1" ] || return 0
    awk -v d="$1/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
        umount -l "$m" || true
    done
    rm -rf --one-file-system "$1"
}

# The busybox initramfs: modules for the disk, the panic device and the agent's port.
debian12_initramfs() { # stage output
    # Read by initramfs_modules (bash's dynamic scope): no watchdog, systemd's udev loads it.
    local EARLY_MODULES=(virtio_pci virtio_blk crc32c_generic ext4 pvpanic_mmio pvpanic_pci virtio_console)
    local LATE_MODULES=()
    busybox_stage "$1" newroot
    install -m 0755 "$here/debian12/init" "$1/init"
    write_cpio "$1" "$2"
}

# debian12's product: the sensor, laid out as on tiny's system disk (images/guest/rg-boot),
# its tools, and its units (the sensor early in sysinit, the ready line in multi-user).
debian12_sensor() { # root
    local r=$1
    sensor_tree "$r"
    install -m 0755 "$here/guest/rg-boot" "$here/guest/rg-install" "$here/debian12/rg-ready" \
        "$out/sensor/tools/rg-sensorctl" "$r/usr/sbin/"
    install -m 0755 "$out/sensor/tools/rg-workload" "$r/usr/bin/"

    install -m 0644 "$here/debian12/rg-sensor.service" "$here/debian12/rg-ready.service" \
        "$r/etc/systemd/system/"
    mkdir -p "$r/etc/systemd/system/sysinit.target.wants" "$r/etc/systemd/system/multi-user.target.wants"
    ln -sf ../rg-sensor.service "$r/etc/systemd/system/sysinit.target.wants/rg-sensor.service"
    ln -sf ../rg-ready.service "$r/etc/systemd/system/multi-user.target.wants/rg-ready.service"
}

# The system as debootstrap made it, made a test guest: kernel modules, the product (the
# sensor for debian12; images/other.sh's for other), the units, fewer services, and nothing
# that depends on the day or the host it was built on.
debian12_customize() { # root hostname product-function
    local r=$1 name=$2 u
    # The host's kernel is booted directly: its modules, without the links to its headers.
    mkdir -p "$r/lib/modules"
    cp -a "/lib/modules/$KV" "$r/lib/modules/"
    rm -f "$r/lib/modules/$KV/build" "$r/lib/modules/$KV/source"

    "$3" "$r"

    ln -sf /lib/systemd/system/multi-user.target "$r/etc/systemd/system/default.target"
    rm -rf "$r/etc/systemd/system/getty.target.wants" "$r/etc/systemd/system/timers.target.wants"
    rm -f "$r/etc/systemd/system/multi-user.target.wants/e2scrub_reap.service"
    for u in "${DEBIAN12_MASK[@]}"; do ln -sf /dev/null "$r/etc/systemd/system/$u"; done
    mkdir -p "$r/etc/systemd/system-generators" "$r/etc/systemd/system.conf.d" \
        "$r/etc/systemd/system/systemd-udev-trigger.service.d"
    for u in "${DEBIAN12_MASK_GENERATORS[@]}"; do ln -sf /dev/null "$r/etc/systemd/system-generators/$u"; done
    install -m 0644 "$here/debian12/udev-trigger.conf" \
        "$r/etc/systemd/system/systemd-udev-trigger.service.d/ringgate.conf"
    install -m 0644 -D "$here/debian12/qemu-guest-agent.conf" \
        "$r/etc/systemd/system/qemu-guest-agent.service.d/ringgate.conf"
    install -m 0644 "$here/debian12/blacklist.conf" "$r/etc/modprobe.d/ringgate-blacklist.conf"
    # Status lines only when a unit fails or the boot stalls: the serial console is slow.
    printf '[Manager]\nShowStatus=auto\n' >"$r/etc/systemd/system.conf.d/ringgate.conf"
    mkdir -p "$r/etc/systemd/journald.conf.d"
    printf '[Journal]\nStorage=volatile\n' >"$r/etc/systemd/journald.conf.d/ringgate.conf"
    rm -rf "$r/var/log/journal"

    # The initramfs mounted the root rw,noatime: nothing for systemd-remount-fs to redo.
    echo '# / is /dev/vda, mounted by the initramfs (root= rw on the command line)' >"$r/etc/fstab"
    echo "$name" >"$r/etc/hostname"
    printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$name" >"$r/etc/hosts"
    : >"$r/etc/resolv.conf"
    echo "# debootstrapped by ringgate's images/debian12.sh ($DEBIAN12_SUITE main)" >"$r/etc/apt/sources.list"

    # Reproducible: an empty machine-id (systemd makes one at the first boot of each overlay),
    # password ages from SOURCE_DATE_EPOCH, no logs, caches, backups or downloaded lists.
    : >"$r/etc/machine-id"
    rm -f "$r/var/lib/dbus/machine-id"
    sed -i "s/^\([^:]*:[^:]*:\)[0-9][0-9]*:/\1$((SOURCE_DATE_EPOCH / 86400)):/" "$r/etc/shadow"
    rm -f "$r"/etc/*- "$r"/var/cache/debconf/*-old "$r"/var/lib/dpkg/*-old \
        "$r/var/cache/ldconfig/aux-cache" "$r"/var/cache/apt/*.bin
    rm -rf "$r"/var/cache/apt/archives/*.deb "$r"/var/lib/apt/lists/* "$r/debootstrap"
    find "$r/var/log" -type f -delete
    find "$r/dev" "$r/run" "$r/tmp" "$r/var/tmp" -mindepth 1 -delete
    # Not needed in a test guest; 50 MB fewer to copy into every build.
    rm -rf "$r/usr/share/man" "$r/usr/share/info" "$r/usr/share/locale"
    find "$r/usr/share/doc" -type f ! -name copyright -delete
}

# debootstrap into DIR/root.d, with the packages cached in images/build/.cache.
debian12_bootstrap() { # dir
    local dir=$1 cache=$out/.cache/debootstrap-$DEBIAN12_SUITE pkgs
    command -v debootstrap >/dev/null || die "debian12: debootstrap is not installed (scripts/install-deps.sh)"
    log "${dir##*/}: debootstrap $DEBIAN12_SUITE from $d12_uri (minbase + ${DEBIAN12_PKGS[*]})"
    debian12_clean "$dir"
    mkdir -p "$dir" "$cache"
    pkgs=$(
        IFS=,
        echo "${DEBIAN12_PKGS[*]}"
    )
    debootstrap --variant=minbase --include="$pkgs" --components=main --cache-dir="$cache" \
        ${d12_keyring:+--keyring="$d12_keyring"} "$DEBIAN12_SUITE" "$dir/root.d" "$d12_uri" \
        >"$dir/debootstrap.log" 2>&1 ||
        {
            tail -n 20 "$dir/debootstrap.log" >&2
            debian12_clean "$dir/root.d"
            die "${dir##*/}: debootstrap failed (log: $dir/debootstrap.log)"
        }
}

# DIR/root.d made the boot files: kernel, initramfs, disk, their sums.
debian12_boot_files() { # dir
    local dir=$1
    install -m 0644 "/boot/vmlinuz-$KV" "$dir/vmlinuz"
    pvh_kernel "$dir/vmlinuz" "$dir/vmlinux"
    debian12_initramfs "$dir/initramfs.d" "$dir/initrd.img"
    make_disk "$dir/root.d" 2G "$dir/disk.qcow2"
    debian12_clean "$dir/root.d"
    rm -rf "$dir/initramfs.d"
    (cd "$dir" && sha256sum vmlinuz vmlinux initrd.img disk.qcow2 >SHA256SUMS)
    echo "$KV" >"$dir/kernel-version"
}

build_debian12() {
    local dir=$out/debian12 h start_s
    build_sensor
    debian12_mirror
    h=$(hash_debian12)
    if fresh "$dir/.inputs" "$h"; then
        log "debian12: up to date"
        return
    fi
    start_s=$(date +%s)
    debian12_bootstrap "$dir"
    log "debian12: debootstrap took $(($(date +%s) - start_s)) s"
    dpkg-query --admindir="$dir/root.d/var/lib/dpkg" -W -f '${Package}=${Version}\n' | sort >"$dir/packages.txt"
    debian12_customize "$dir/root.d" rg-debian12 debian12_sensor
    debian12_boot_files "$dir"
    echo "$h" >"$dir/.inputs"
    log "debian12: built in $(($(date +%s) - start_s)) s ($(du -h "$dir/disk.qcow2" | cut -f1) disk)"
}

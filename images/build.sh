#!/usr/bin/env bash
# Builds ringgate's guest images, the sample sensor and its signed updates into images/build/,
# from Debian packages only, and rg-other, the second sample product, with its image.
# Usage: images/build.sh [tiny|updates|debian12|other|all]... (default: all). Each target is cached by the hash of its inputs (recipe files,
# package versions, kernel): a second run rebuilds nothing, and a rebuild gives the same bytes.
# RG_IMAGES_OUT=DIR builds into DIR instead of images/build (images/check-reproducible.sh).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=$(realpath -m "${RG_IMAGES_OUT:-$here/build}")
RINGGATE=${RINGGATE:-$root/build/ringgate}
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export LC_ALL=C TZ=UTC
umask 022

log() { printf 'images: %s\n' "$*" >&2; }
die() {
    printf 'images: error: %s\n' "$*" >&2
    exit 1
}

targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(all)
[ "${targets[*]}" != all ] || targets=(tiny updates debian12 other)
for t in "${targets[@]}"; do
    case $t in tiny | updates | debian12 | other) ;; *) die "unknown target '$t' (tiny, updates, debian12, other, all)" ;; esac
done

# The guest kernel: the Debian kernel installed under /lib/modules with its image in /boot
# and its headers (KVER overrides; with several, the one linux-image-amd64 depends on).
kernel_version() {
    local d cands=()
    for d in /lib/modules/*/; do
        d=${d%/}
        [ -f "/boot/vmlinuz-${d##*/}" ] && [ -d "$d/build" ] && cands+=("${d##*/}")
    done
    if [ ${#cands[@]} -gt 1 ]; then
        d=$(dpkg-query -W -f '${Depends}' linux-image-amd64 2>/dev/null | sed 's/ .*//')
        d=${d#linux-image-}
        for k in "${cands[@]}"; do [ "$k" = "$d" ] && echo "$k" && return; done
    fi
    [ ${#cands[@]} -gt 0 ] || die "no Debian kernel with headers (run scripts/install-deps.sh)"
    echo "${cands[0]}"
}
KV=${KVER:-$(kernel_version)}
[ -f "/boot/vmlinuz-$KV" ] || die "/boot/vmlinuz-$KV is missing"
[ -d "/lib/modules/$KV/build" ] || die "the headers of $KV are missing (linux-headers-$KV)"

# Every input of a target, hashed: package versions and recipe files.
pkg_versions() {
    dpkg-query -W -f '${Package}=${Version}\n' "$@" 2>/dev/null || die "a package is missing: $*"
}
files_hash() { # paths relative to images/
    (cd "$here" && find "$@" -type f ! -name '*~' | sort | xargs sha256sum)
}
SENSOR_PKGS=("linux-headers-$KV" gcc make libc6-dev kmod binutils)
hash_sensor() {
    { echo "$KV"; pkg_versions "${SENSOR_PKGS[@]}"; files_hash sensor guest/rg-workload.c build.sh; } | sha256sum | cut -c1-64
}
hash_tiny() {
    {
        echo "$KV"
        pkg_versions "linux-image-$KV" busybox-static qemu-guest-agent e2fsprogs qemu-utils cpio \
            libc6 libglib2.0-0 libudev1 libnuma1 liburing2 libpcre2-8-0 stress-ng "${SENSOR_PKGS[@]}"
        files_hash sensor guest updates/sensor-content-0290 build.sh
    } | sha256sum | cut -c1-64
}
hash_updates() {
    {
        echo "$KV"
        pkg_versions "${SENSOR_PKGS[@]}" openssl
        files_hash sensor updates build.sh
        cat "$out/other-pkg/.inputs"
        sha256sum "$RINGGATE" "$out/keys/vendor.pub" | cut -c1-64
    } | sha256sum | cut -c1-64
}
fresh() { [ -f "$1" ] && [ "$(cat "$1")" = "$2" ]; }
stamp_all() { find "$1" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +; }

# ---- the sample sensor: the kernel module in its variants, the static guest tools ----

# variant version extra-cflags
SENSOR_VARIANTS=(
    "1.0.0 1.0.0"
    "1.1.0 1.1.0"
    "1.1.0-bootcrash 1.1.0 -DRG_FAULT_BOOTCRASH"
    "1.1.0-hang 1.1.0 -DRG_FAULT_HANG"
    "1.1.0-latecrash 1.1.0 -DRG_FAULT_LATECRASH"
    "1.1.0-freeze 1.1.0 -DRG_FAULT_FREEZE"
)
TOOLS=(sensor/rg-sensorctl guest/rg-workload)
TOOL_CFLAGS=(-std=c17 -O2 -static -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Werror)

build_sensor() {
    local h dir variant version flags t
    h=$(hash_sensor)
    fresh "$out/sensor/.inputs" "$h" && return
    log "sensor: rg_sensor.ko for $KV (${#SENSOR_VARIANTS[@]} variants), rg-sensorctl, rg-workload"
    rm -rf "$out/sensor" && mkdir -p "$out/sensor/tools"
    for v in "${SENSOR_VARIANTS[@]}"; do
        read -r variant version flags <<<"$v"
        dir=$out/sensor/$variant
        mkdir -p "$dir/src"
        cp "$here/sensor/rg_sensor.c" "$here/sensor/Kbuild" "$dir/src/"
        # The build folder mapped away: its path would reach the debug info, and through it
        # the build id that survives strip (another output folder, another module).
        make -C "/lib/modules/$KV/build" M="$dir/src" RG_VERSION="$version" \
            RG_FAULT_FLAGS="${flags:-}" KBUILD_BUILD_TIMESTAMP="@$SOURCE_DATE_EPOCH" \
            KCFLAGS="-ffile-prefix-map=$dir/src/=" modules >"$dir/build.log" 2>&1 ||
            { cat "$dir/build.log" >&2; die "rg_sensor ($variant) does not build"; }
        strip --strip-debug -o "$dir/rg_sensor.ko" "$dir/src/rg_sensor.ko"
    done
    for t in "${TOOLS[@]}"; do
        gcc "${TOOL_CFLAGS[@]}" -o "$out/sensor/tools/${t#*/}" "$here/$t.c"
        strip "$out/sensor/tools/${t#*/}"
    done
    echo "$h" >"$out/sensor/.inputs"
}

# ---- tiny: the Debian kernel booted directly, a busybox initramfs, a qcow2 system disk ----

# Modules the guest needs, with their dependencies (modprobe reads modules.dep).
# crc32c-intel is left out: it needs SSE4.2, which TCG's default CPU model lacks; ext4
# uses crc32c_generic. The watchdog's load after the ready line ("late").
EARLY_MODULES=(virtio_pci virtio_blk virtio_console crc32c_generic ext4 pvpanic_mmio pvpanic_pci)
LATE_MODULES=(i6300esb)

initramfs_modules() { # stage
    local dest=$1/lib/modules when m line ko name
    mkdir -p "$dest"
    : >"$dest/load.order"
    for when in early late; do
        if [ $when = early ]; then set -- "${EARLY_MODULES[@]}"; else set -- "${LATE_MODULES[@]}"; fi
        for m in "$@"; do
            modprobe -S "$KV" --show-depends "$m" || die "module $m is not in $KV"
        done | while read -r line; do
            ko=$(echo "$line" | awk '$1 == "insmod" { print $2 }')
            [ -n "$ko" ] || continue
            name=$(basename "$ko")
            case $name in
            crc32c-intel.ko*) continue ;;
            *.ko.xz) xz -dc "$ko" >"$dest/${name%.xz}" && name=${name%.xz} ;;
            *.ko.zst) zstd -qdc "$ko" >"$dest/${name%.zst}" && name=${name%.zst} ;;
            *) cp "$ko" "$dest/$name" ;;
            esac
            # Without its BTF (type data for BPF; parsing it made ext4.ko load 0.1 s slower
            # under TCG). objcopy also drops the signature: the modules load unsigned
            # (taint E, as the out-of-tree sensor already taints the kernel).
            objcopy --remove-section=.BTF "$dest/$name"
            awk -v n="$name" '$1 == n { f = 1 } END { exit !f }' "$dest/load.order" ||
                echo "$name $when" >>"$dest/load.order"
        done
    done
}

copy_with_libs() { # binary stage: the binary and the shared libraries ldd names
    local bin=$1 dest=$2 lib
    install -D -m 0755 "$bin" "$dest$bin"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*' | sort -u); do
        install -D -m 0755 "$(readlink -f "$lib")" "$dest$lib"
    done
}

# A fresh initramfs stage: busybox with a link per applet, and the modules of EARLY_MODULES
# and LATE_MODULES (initramfs_modules); more folders may be named.
busybox_stage() { # stage extra-dir...
    local stage=$1 applet d
    shift
    rm -rf "$stage"
    mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev}
    for d in "$@"; do mkdir -p "$stage/$d"; done
    install -m 0755 /bin/busybox "$stage/bin/busybox"
    for applet in $(/bin/busybox --list-full); do
        [ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
    done
    initramfs_modules "$stage"
}

# Sorted, owned by root, fixed timestamps: reproducible.
write_cpio() { # stage output
    stamp_all "$1"
    (cd "$1" && find . | sort | cpio --quiet --reproducible -o -H newc -R 0:0) >"$2"
}

build_initramfs() { # stage output
    local stage=$1
    busybox_stage "$stage" etc run tmp root var/lib
    copy_with_libs /usr/sbin/qemu-ga "$stage"
    install -m 0755 "$here/guest/init" "$stage/init"
    install -m 0755 "$here/guest/rg-boot" "$here/guest/rg-install" "$stage/usr/sbin/"
    install -m 0755 "$out/sensor/tools/rg-sensorctl" "$stage/usr/sbin/"
    install -m 0755 "$out/sensor/tools/rg-workload" "$stage/usr/bin/"
    install -m 0755 "$here/guest/stress-ng" "$stage/usr/bin/"
    echo 'root:x:0:0:root:/root:/bin/sh' >"$stage/etc/passwd"
    echo 'root:x:0:' >"$stage/etc/group"
    # Uncompressed: under TCG the kernel copies 12 MiB faster than it would inflate 5.
    write_cpio "$stage" "$2"
}

# The system disk's sensor tree: driver 1.0.0 and content 0290 installed, no boot yet.
# Its layout is the one images/guest/rg-boot documents.
sensor_tree() { # dir
    local s=$1/var/lib/rg-sensor
    mkdir -p "$s/driver/1.0.0" "$s/content/0290"
    cp "$out/sensor/1.0.0/rg_sensor.ko" "$s/driver/1.0.0/"
    cp "$here/updates/sensor-content-0290/files/channels/"*.rgc "$s/content/0290/"
    printf 'sensor=1.0.0\ncontent=0290\n' >"$s/installed"
    echo 0 >"$s/bootcount"
}

# mkfs -d copies each file's ctime (and atime), which no touch can set: the moment the build
# made the file. Every inode in use gets SOURCE_DATE_EPOCH instead, through debugfs.
fix_inode_times() { # raw image
    dumpe2fs "$1" 2>/dev/null | awk -v t="@$SOURCE_DATE_EPOCH" '
        /^Inodes per group:/ { ipg = $4 }
        /^Group [0-9]+:/ { g = $2 + 0 }
        /^  Free inodes:/ {
            split("", free)
            n = split(substr($0, index($0, ":") + 1), r, ",")
            for (i = 1; i <= n; i++) {
                if (split(r[i], b, "-") == 1) b[2] = b[1]
                for (j = b[1] + 0; j <= b[2] + 0 && b[1] != ""; j++) free[j] = 1
            }
            for (j = g * ipg + 1; j <= (g + 1) * ipg; j++)
                if (!(j in free) && (j == 2 || j >= 11))
                    printf "sif <%d> ctime %s\nsif <%d> ctime_extra 0\nsif <%d> atime %s\nsif <%d> atime_extra 0\n", j, t, j, j, t, j
        }' >"$1.times"
    E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH debugfs -w -f "$1.times" "$1" >/dev/null 2>&1 ||
        die "debugfs could not set the inode times of $1"
    rm -f "$1.times"
}

# A reproducible ext4 image of a directory, as qcow2.
# mkfs.ext4 -d populates it; fixed UUID, hash seed and clock; root owns everything.
make_disk() { # dir size output
    local raw=$3.raw uuid=72696e67-6761-7465-8000-000000000001
    rm -f "$raw"
    stamp_all "$1"
    E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L rgsys -b 4096 -I 256 -U "$uuid" \
        -E "root_owner=0:0,hash_seed=$uuid,lazy_itable_init=0,lazy_journal_init=0" \
        -d "$1" "$raw" "$2" >/dev/null
    fix_inode_times "$raw"
    qemu-img convert -q -f raw -O qcow2 "$raw" "$3"
    rm -f "$raw"
}

# The kernel as a plain ELF (vmlinux) that QEMU starts at its PVH entry (CONFIG_PVH): this
# skips the bzImage's self-decompression, about 4 s of wall time under TCG before the kernel's
# clock even starts. It is the bzImage's payload, one xz stream. vmlinuz stays for scripts
# that boot the bzImage by hand.
pvh_kernel() { # bzImage output
    local off
    grep -q '^CONFIG_PVH=y' "/boot/config-$KV" ||
        die "$KV has no CONFIG_PVH: set the tiny kernel in catalog.json to build/tiny/vmlinuz"
    off=$(grep -obUaP '\xfd7zXZ\x00' "$1" | awk -F: 'NR == 1 { print $1 }')
    [ -n "$off" ] || die "$1: no xz payload found (only xz-compressed kernels are handled)"
    tail -c +$((off + 1)) "$1" >"$2.xz"
    xz -dc --single-stream "$2.xz" >"$2" || die "$1: its xz payload does not decompress"
    rm -f "$2.xz"
    [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ] || die "$1: the payload is not an ELF"
}

build_tiny() {
    local dir=$out/tiny h
    build_sensor
    h=$(hash_tiny)
    if fresh "$dir/.inputs" "$h"; then
        log "tiny: up to date"
        return
    fi
    log "tiny: kernel $KV, busybox initramfs, system disk"
    rm -rf "$dir" && mkdir -p "$dir"
    install -m 0644 "/boot/vmlinuz-$KV" "$dir/vmlinuz"
    pvh_kernel "$dir/vmlinuz" "$dir/vmlinux"
    build_initramfs "$dir/initramfs.d" "$dir/initrd.img"
    mkdir -p "$dir/disk.d"
    sensor_tree "$dir/disk.d"
    copy_with_libs /usr/bin/stress-ng "$dir/disk.d/opt/stress-ng" # checks.stress
    make_disk "$dir/disk.d" 128M "$dir/disk.qcow2"
    rm -rf "$dir/initramfs.d" "$dir/disk.d"
    (cd "$dir" && sha256sum vmlinuz vmlinux initrd.img disk.qcow2 >SHA256SUMS)
    echo "$KV" >"$dir/kernel-version"
    echo "$h" >"$dir/.inputs"
}

# ---- keys and signed updates ----

build_keys() {
    local dir=$out/keys k
    mkdir -p "$dir"
    # Made here, never committed: the vendor's signing key, and a stranger's for the tests.
    for k in vendor foreign; do
        [ -f "$dir/$k.pem" ] && [ -f "$dir/$k.pub" ] && continue
        (umask 077 && openssl genpkey -algorithm ed25519 -out "$dir/$k.pem")
        openssl pkey -in "$dir/$k.pem" -pubout -out "$dir/$k.pub"
    done
}

driver_variant() { # package name: the sensor build it ships
    case $1 in
    sensor-driver-1.0.0) echo 1.0.0 ;;
    sensor-driver-1.1.0) echo 1.1.0 ;;
    sensor-driver-1.1.0-bootcrash) echo 1.1.0-bootcrash ;;
    sensor-driver-1.1.0-hang) echo 1.1.0-hang ;;
    sensor-driver-1.1.0-latecrash) echo 1.1.0-latecrash ;;
    sensor-driver-1.1.0-freeze) echo 1.1.0-freeze ;;
    *) die "images/updates/$1: no sensor variant for this driver package" ;;
    esac
}

# Package source dirs (package.json + files/) from the recipes in images/updates/.
update_sources() {
    local src=$out/updates/src recipe name
    rm -rf "$src" && mkdir -p "$src"
    for recipe in "$here"/updates/*/; do
        name=$(basename "$recipe")
        cp -r "$recipe" "$src/$name"
        if [[ $name == sensor-driver-* ]]; then
            mkdir -p "$src/$name/files"
            cp "$out/sensor/$(driver_variant "$name")/rg_sensor.ko" "$src/$name/files/"
        elif [[ $name == other-agent-* ]]; then
            mkdir -p "$src/$name/files"
            cp "$out/other-pkg/$(other_variant "$name")"/rg-other_*_amd64.deb "$src/$name/files/"
        fi
        sed -i "s/@KERNEL@/$KV/g" "$src/$name/package.json"
    done
    stamp_all "$src"
}

build_updates() {
    local dir=$out/updates h name
    build_sensor
    build_other_debs
    build_keys
    if [ ! -x "$RINGGATE" ]; then
        update_sources
        log "updates: package sources in $dir/src; NOT signed: $RINGGATE is not built" \
            "(cmake --preset default && cmake --build build, or set RINGGATE)"
        return
    fi
    h=$(hash_updates)
    if fresh "$dir/.inputs" "$h"; then
        log "updates: up to date"
        return
    fi
    rm -f "$dir/.inputs" "$dir"/*.rgpkg
    update_sources
    for src in "$dir"/src/*/; do
        name=$(basename "$src")
        "$RINGGATE" package build "$src" --key "$out/keys/vendor.pem" -o "$dir/$name.rgpkg" \
            >/dev/null || die "ringgate package build $name failed"
    done
    (cd "$dir" && sha256sum ./*.rgpkg >SHA256SUMS)
    echo "$h" >"$dir/.inputs"
    log "updates: $(find "$dir" -maxdepth 1 -name '*.rgpkg' | wc -l) signed packages in $dir"
}

. "$here/other.sh" # rg-other: its packages (for updates) and its image

mkdir -p "$out"
start=$(date +%s)
for t in "${targets[@]}"; do
    case $t in
    tiny) build_tiny ;;
    updates) build_updates ;;
    debian12)
        . "$here/debian12.sh" # its recipe, with the helpers above
        build_debian12
        ;;
    other) build_other ;;
    esac
done
log "done in $(($(date +%s) - start)) s"

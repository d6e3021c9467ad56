#!/usr/bin/env bash
# Builds ringgate's guest images, the sample sensor and its signed updates, from Debian
# packages only, into images/build/. Usage: images/build.sh [tiny] [updates] [debian12] [all]
# (default: tiny updates). Cached by the hash of every input: a second run rebuilds nothing.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out=$here/build
RINGGATE=${RINGGATE:-$root/build/ringgate}
# Fixed timestamps: the same inputs give the same bytes.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-1700000000}
export LC_ALL=C
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(tiny updates)
[ "${targets[*]}" != all ] || targets=(tiny updates debian12)

log() { printf 'images: %s\n' "$*" >&2; }
die() { printf 'images: error: %s\n' "$*" >&2; exit 2; }

# The Debian kernel linux-image-amd64 points at.
kernel_version() {
    local dep
    dep=$(dpkg-query -W -f '${Depends}' linux-image-amd64 2>/dev/null) ||
        die "linux-image-amd64 is not installed (run scripts/install-deps.sh)"
    dep=${dep%% *}
    echo "${dep#linux-image-}"
}
KV=$(kernel_version)
[ -f "/boot/vmlinuz-$KV" ] || die "/boot/vmlinuz-$KV is missing"
[ -d "/lib/modules/$KV/build" ] || die "headers for $KV are missing (linux-headers-amd64)"

pkg_versions() {
    dpkg-query -W -f '${Package}=${Version}\n' "linux-image-$KV" "linux-headers-$KV" \
        busybox-static qemu-guest-agent e2fsprogs qemu-utils libc6 libglib2.0-0 gcc 2>/dev/null
}

# The hash of a target's inputs: recipe files, package versions, kernel.
inputs_hash() {
    {
        echo "$KV"
        pkg_versions
        (cd "$here" && find build.sh guest sensor updates catalog.json -type f | sort |
            xargs sha256sum)
    } | sha256sum | cut -c1-64
}

fresh() { # stamp-file: true when the stamp matches the current inputs
    [ -f "$1" ] && [ "$(cat "$1")" = "$HASH" ]
}

HASH=$(inputs_hash)

# ---- the sample sensor ----

build_sensor() {
    local variant=$1 version=$2 flags=$3
    local dir=$out/sensor/$variant
    [ -f "$dir/rg_sensor.ko" ] && fresh "$dir/.inputs" && return
    log "sensor module $variant"
    rm -rf "$dir" && mkdir -p "$dir/src"
    cp "$here/sensor/rg_sensor.c" "$here/sensor/Kbuild" "$dir/src/"
    make -s -C "/lib/modules/$KV/build" M="$dir/src" RG_VERSION="$version" \
        RG_FAULT_FLAGS="$flags" modules >"$dir/build.log" 2>&1 ||
        { cat "$dir/build.log" >&2; die "the sensor module ($variant) does not build"; }
    strip --strip-debug -o "$dir/rg_sensor.ko" "$dir/src/rg_sensor.ko"
    echo "$HASH" >"$dir/.inputs"
}

build_tools() {
    local dir=$out/tools
    [ -x "$dir/rg-workload" ] && fresh "$dir/.inputs" && return
    log "guest tools"
    mkdir -p "$dir"
    for t in rg-sensorctl rg-workload; do
        gcc -static -O2 -Wall -Wextra -Werror -o "$dir/$t" "$here/guest/$t.c"
        strip "$dir/$t"
    done
    echo "$HASH" >"$dir/.inputs"
}

# ---- tiny: Debian kernel, busybox initramfs, qcow2 system disk ----

copy_with_libs() { # binary destination-root
    local bin=$1 dest=$2 lib
    install -D -m 0755 "$bin" "$dest$bin"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do
        install -D -m 0755 "$(readlink -f "$lib")" "$dest$lib"
    done
}

initramfs_modules() { # dest
    local dest=$1 line ko name
    mkdir -p "$dest/lib/modules"
    : >"$dest/lib/modules/load.order"
    for m in virtio_pci virtio_blk virtio_console crc32c_generic ext4 pvpanic pvpanic_mmio \
        pvpanic_pci i6300esb; do
        modprobe -S "$KV" --show-depends "$m"
    done |
        while read -r line; do
            case $line in insmod\ *) ;; *) continue ;; esac
            ko=$(echo "$line" | awk '{print $2}')
            name=$(basename "$ko")
            case $name in
            *.xz) xz -dc "$ko" >"$dest/lib/modules/${name%.xz}"; name=${name%.xz} ;;
            *.zst) zstd -qdc "$ko" >"$dest/lib/modules/${name%.zst}"; name=${name%.zst} ;;
            *) cp "$ko" "$dest/lib/modules/$name" ;;
            esac
            grep -qx "$name" "$dest/lib/modules/load.order" || echo "$name" >>"$dest/lib/modules/load.order"
        done
}

build_initramfs() { # dest-file
    local stage=$out/tiny/initramfs.d
    rm -rf "$stage" && mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,root}
    install -m 0755 /bin/busybox "$stage/bin/busybox"
    for applet in $(/bin/busybox --list-full); do
        [ -e "$stage/$applet" ] || ln -s /bin/busybox "$stage/$applet"
    done
    initramfs_modules "$stage"
    copy_with_libs /usr/sbin/qemu-ga "$stage"
    install -m 0755 "$here/guest/init" "$stage/init"
    install -m 0755 "$here/guest/rg-install" "$stage/usr/sbin/rg-install"
    install -m 0755 "$out/tools/rg-sensorctl" "$stage/usr/sbin/rg-sensorctl"
    install -m 0755 "$out/tools/rg-workload" "$stage/usr/bin/rg-workload"
    echo 'root:x:0:0:root:/root:/bin/sh' >"$stage/etc/passwd"
    echo 'root:x:0:' >"$stage/etc/group"
    find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    # Sorted, owner-less, timestamp-fixed: reproducible. Uncompressed: under TCG the
    # kernel unpacks it faster than it would decompress it.
    (cd "$stage" && find . | sort | cpio --quiet --reproducible -o -H newc -R 0:0) >"$1"
}

build_disk() { # dest-file
    local stage=$out/tiny/disk.d raw=$out/tiny/disk.raw
    rm -rf "$stage" && mkdir -p "$stage/sensor/driver" "$stage/sensor/channels"
    cp "$out/sensor/1.0.0/rg_sensor.ko" "$stage/sensor/driver/"
    cp "$here/updates/sensor-content-0290/files/channels/"*.rgc "$stage/sensor/channels/"
    printf 'sensor=1.0.0\ncontent=0290\n' >"$stage/sensor/state"
    echo 0 >"$stage/sensor/bootcount"
    find "$stage" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    rm -f "$raw"
    E2FSPROGS_FAKE_TIME=$SOURCE_DATE_EPOCH mkfs.ext4 -q -F -L rgsys -b 4096 -N 256 \
        -U 6c0f5c6e-0b7a-4f0e-9a8e-72696e676761 \
        -E root_owner=0:0,hash_seed=6c0f5c6e-0b7a-4f0e-9a8e-72696e676761,lazy_itable_init=0 \
        -d "$stage" "$raw" 64M >/dev/null
    qemu-img convert -q -f raw -O qcow2 "$raw" "$1"
    rm -f "$raw"
}

build_tiny() {
    local dir=$out/tiny
    build_sensor 1.0.0 1.0.0 ""
    build_tools
    if [ -f "$dir/disk.qcow2" ] && fresh "$dir/.inputs"; then
        log "tiny is up to date"
        return
    fi
    log "tiny: kernel $KV, initramfs, system disk"
    mkdir -p "$dir"
    rm -f "$dir/.inputs"
    install -m 0644 "/boot/vmlinuz-$KV" "$dir/vmlinuz"
    build_initramfs "$dir/initrd.img.new" && mv "$dir/initrd.img.new" "$dir/initrd.img"
    build_disk "$dir/disk.qcow2.new" && mv "$dir/disk.qcow2.new" "$dir/disk.qcow2"
    rm -rf "$dir/initramfs.d" "$dir/disk.d"
    (cd "$dir" && sha256sum vmlinuz initrd.img disk.qcow2 >SHA256SUMS)
    echo "$HASH" >"$dir/.inputs"
}

# ---- keys and signed updates ----

build_keys() {
    local dir=$out/keys k
    mkdir -p "$dir"
    # Generated here, never committed: the vendor's signing key and a stranger's.
    for k in vendor foreign; do
        if [ ! -f "$dir/$k.pem" ]; then
            (umask 077 && openssl genpkey -algorithm ed25519 -out "$dir/$k.pem" 2>/dev/null)
            openssl pkey -in "$dir/$k.pem" -pubout -out "$dir/$k.pub"
        fi
    done
}

driver_variant() { # package name -> sensor build variant, version, flags
    case $1 in
    sensor-driver-1.0.0) echo "1.0.0 1.0.0" ;;
    sensor-driver-1.1.0) echo "1.1.0 1.1.0" ;;
    sensor-driver-1.1.0-bootcrash) echo "1.1.0-bootcrash 1.1.0 -DRG_FAULT_BOOTCRASH" ;;
    sensor-driver-1.1.0-hang) echo "1.1.0-hang 1.1.0 -DRG_FAULT_HANG" ;;
    *) die "no driver variant for $1" ;;
    esac
}

build_updates() {
    local dir=$out/updates recipe name src keyid
    if [ ! -x "$RINGGATE" ]; then
        log "skipping the signed updates: $RINGGATE is not built yet (cmake --build build)"
        return
    fi
    build_keys
    keyid=$(sha256sum "$out/keys/vendor.pub" | cut -c1-16)
    if fresh "$dir/.inputs-$keyid" && [ -f "$dir/sensor-content-0291.rgpkg" ]; then
        log "updates are up to date"
        return
    fi
    rm -f "$dir"/.inputs-*
    mkdir -p "$dir/src"
    for recipe in "$here"/updates/*/; do
        name=$(basename "$recipe")
        src=$dir/src/$name
        rm -rf "$src" && mkdir -p "$src"
        cp -r "$recipe"/. "$src/"
        if [[ $name == sensor-driver-* ]]; then
            read -r variant version flags <<<"$(driver_variant "$name")"
            build_sensor "$variant" "$version" "${flags:-}"
            mkdir -p "$src/files"
            cp "$out/sensor/$variant/rg_sensor.ko" "$src/files/rg_sensor.ko"
            sed -i "s/@KERNEL@/$KV/" "$src/package.json"
        fi
        find "$src" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
        "$RINGGATE" package build "$src" --key "$out/keys/vendor.pem" -o "$dir/$name.rgpkg" >/dev/null
    done
    (cd "$dir" && sha256sum ./*.rgpkg >SHA256SUMS)
    echo "$HASH" >"$dir/.inputs-$keyid"
    log "updates: $(ls "$dir"/*.rgpkg | wc -l) signed packages in $dir"
}

mkdir -p "$out"
start=$(date +%s)
for t in "${targets[@]}"; do
    case $t in
    tiny) build_tiny ;;
    updates) build_updates ;;
    debian12) bash "$here/debian12.sh" "$out" "$KV" ;;
    *) die "unknown target '$t' (tiny, updates, debian12, all)" ;;
    esac
done
log "done in $(($(date +%s) - start)) s"

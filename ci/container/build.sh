#!/usr/bin/env bash
# Builds the ringgate container image from Debian packages only (no prebuilt base image):
# debootstrap a bookworm root from the host's apt mirror, install ringgate's run-time packages
# into it, copy in this tree's ringgate binary, scenarios and built guest images, and import the
# root with `podman import` (or `docker import`).
#
# Usage: ci/container/build.sh [--engine podman|docker|none] [--tag NAME] [--root DIR]
#                              [--images "tiny updates keys"]
#   --engine  what imports the root (default: podman if installed, else docker); none: only
#             build the root folder and the tarball
#   --tag     image name (default: localhost/ringgate:latest)
#   --root    where to build the root (default: build/container/root; rebuilt every time)
#   --images  which folders of images/build/ to copy in (default: tiny updates keys; "all")
#
# Needs, on a Debian 12 host as root: debootstrap, a built ringgate (cmake --build build) and
# the guest images (images/build.sh): the binary is bookworm's build, so it runs on the
# bookworm root (the script checks with ldd inside the root that every library resolves).
# RG_MIRROR overrides the mirror debootstrap uses (default: the host's first bookworm source).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
engine=auto
tag=localhost/ringgate:latest
root=$top/build/container/root
images="tiny updates keys"

die() {
    printf 'ci/container/build.sh: error: %s\n' "$*" >&2
    exit 2
}
log() { printf 'container: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
    --engine) engine=${2:?--engine needs a value}; shift 2 ;;
    --tag) tag=${2:?--tag needs a value}; shift 2 ;;
    --root) root=${2:?--root needs a value}; shift 2 ;;
    --images) images=${2:?--images needs a value}; shift 2 ;;
    -h | --help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
done
case $engine in
auto)
    if command -v podman >/dev/null; then engine=podman
    elif command -v docker >/dev/null; then engine=docker
    else die "neither podman nor docker is installed (apt-get install podman), or use --engine none"
    fi ;;
podman | docker | none) ;;
*) die "--engine must be podman, docker or none, not '$engine'" ;;
esac

[ "$(id -u)" -eq 0 ] || die "run as root (debootstrap and chroot need it)"
command -v debootstrap >/dev/null || die "debootstrap is missing (apt-get install debootstrap)"
bin=$top/build/ringgate
[ -x "$bin" ] || die "$bin is missing: cmake --preset default && cmake --build build"
[ -d "$top/images/build" ] || die "images/build is missing: bash images/build.sh tiny updates"
[ "$images" != all ] || images=$(cd "$top/images/build" && echo */ | tr -d /)
for d in $images; do
    [ -d "$top/images/build/$d" ] || die "images/build/$d is missing: bash images/build.sh"
done

# The host's mirror: the first deb822 or one-line source that serves bookworm.
host_mirror() {
    local f
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' "$f"
    done
    if [ -f /etc/apt/sources.list ]; then
        awk '$1 == "deb" && $3 == "bookworm" {print $2; exit}' /etc/apt/sources.list
    fi
}
mirror=${RG_MIRROR:-$(host_mirror | head -n1)}
[ -n "$mirror" ] || die "no bookworm source found in /etc/apt/sources.list*; set RG_MIRROR"

# Run-time packages only: the libraries ringgate links (libvirt, libyaml, jansson, OpenSSL,
# libarchive, libxml2, PCRE2), libvirt's QEMU driver (loaded in-process by the embedded
# driver), QEMU itself, qemu-img for the overlays, OVMF for UEFI images, and tini as PID 1:
# libvirt's QEMU processes are reparented to PID 1, and a PID 1 that does not reap them (ringgate)
# leaves zombies that libvirt waits on for 40 s at each kill (measured in podman; Kubernetes
# starts no init of its own either).
run_pkgs=(
    tini libvirt0 libvirt-daemon libvirt-daemon-driver-qemu qemu-system-x86 qemu-utils ovmf
    libyaml-0-2 libjansson4 libssl3 libarchive13 libxml2 libpcre2-8-0 ca-certificates
)

mounted=
cleanup() {
    if [ -n "$mounted" ]; then umount "$root/proc" 2>/dev/null || true; fi
}
trap cleanup EXIT

t0=$(date +%s)
log "debootstrap bookworm (minbase) from $mirror into $root"
rm -rf "$root"
mkdir -p "$root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$root.debootstrap.log" 2>&1 ||
    die "debootstrap failed; see $root.debootstrap.log"

log "run-time packages: ${run_pkgs[*]}"
# The host's own sources (its mirror, updates and security suites), so the root gets the
# same library versions the binary was built against.
cp -a /etc/apt/sources.list.d/. "$root/etc/apt/sources.list.d/" 2>/dev/null || true
[ ! -f /etc/apt/sources.list ] || cp /etc/apt/sources.list "$root/etc/apt/sources.list"
# No service starts inside a chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
mounted=1
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -q >"$root.apt.log" 2>&1 ||
    die "apt-get update in the root failed; see $root.apt.log"
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${run_pkgs[@]}" >>"$root.apt.log" 2>&1 ||
    die "apt-get install in the root failed; see $root.apt.log"
# libvirt's QEMU driver refuses to start without its compiled-in user and groups (as in
# scripts/install-deps.sh).
chroot "$root" sh -c 'getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
    useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu'
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root/usr/sbin/policy-rc.d"
umount "$root/proc"
mounted=

log "ringgate, scenarios and images/build/{$images}"
install -m 0755 "$bin" "$root/usr/local/bin/ringgate"
mkdir -p "$root/opt/ringgate/images/build" "$root/var/lib/ringgate" "$root/reports"
cp -a "$top/scenarios" "$root/opt/ringgate/"
cp -a "$top/images/catalog.json" "$root/opt/ringgate/images/"
for d in $images; do cp -a "$top/images/build/$d" "$root/opt/ringgate/images/build/"; done
missing=$(chroot "$root" ldd /usr/local/bin/ringgate | grep 'not found' || true)
[ -z "$missing" ] || die "libraries missing in the root: $missing"
chroot "$root" /usr/local/bin/ringgate version >/dev/null || die "ringgate does not run in the root"

tarball=$root.tar
log "tarball $tarball"
tar --numeric-owner --xattrs -C "$root" -cf "$tarball" .
changes=(
    --change 'ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/ringgate"]'
    --change 'CMD ["help"]'
    --change 'WORKDIR /opt/ringgate'
    --change 'ENV RINGGATE_STATE_DIR=/var/lib/ringgate'
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
)
case $engine in
podman | docker)
    log "$engine import as $tag"
    "$engine" import "${changes[@]}" "$tarball" "$tag" >/dev/null
    ;;
none) log "no import (--engine none): $tarball" ;;
esac
log "done in $(($(date +%s) - t0)) s: $(du -sh "$tarball" | cut -f1) uncompressed"

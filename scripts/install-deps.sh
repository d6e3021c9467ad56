#!/usr/bin/env bash
# Installs every Debian package ringgate needs to build, test and boot its guests (run as root).
set -euo pipefail

build_pkgs=(
    build-essential cmake pkg-config git
    libvirt-dev libyaml-dev libjansson-dev libcmocka-dev libssl-dev libarchive-dev
    libxml2-dev libxml2-utils libpcre2-dev jq
    clang libclang-rt-14-dev
    chromium fonts-dejavu-core # tests/e2e/e2e_html_chromium.sh renders index.html headless
    python3-yaml shellcheck # tests/ci-files.sh checks the integration files in ci/
)
run_pkgs=(
    qemu-system-x86 qemu-utils libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients
    ovmf qemu-guest-agent busybox-static cpio kmod e2fsprogs debootstrap stress-ng
    linux-image-amd64 linux-headers-amd64 openssl xz-utils zstd
    # tests/e2e/e2e_daemons.sh: a real libvirtd (qemu:///system) and sshd for qemu+ssh://.
    # The test starts and stops its own daemons; the install must not leave any running.
    libvirt-daemon-system openssh-server
)

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: run as root (apt-get needs it)" >&2
    exit 2
fi
export DEBIAN_FRONTEND=noninteractive
# The initramfs hooks of the host's own kernel packages are irrelevant to ringgate's guests;
# skipping them keeps the install fast on a machine whose kernel is not Debian's.
export INITRD=No
apt-get update -q
# No package may start its service (libvirtd, virtlogd, sshd): nothing in the suite depends on
# a daemon the install left running. policy-rc.d is Debian's switch for that (invoke-rc.d and
# deb-systemd-invoke both obey it); one that was already there is kept as it was.
own_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
    own_policy=1
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -q --no-install-recommends "${build_pkgs[@]}" "${run_pkgs[@]}"
[ -z "$own_policy" ] || { rm -f /usr/sbin/policy-rc.d; trap - EXIT; }

# libvirt's QEMU driver refuses to start (even embedded, with qemu.conf naming root) unless its
# compiled-in user and groups exist; libvirt-daemon-system would create them, with a daemon
# ringgate does not need.
getent group kvm >/dev/null || groupadd -r kvm
getent group libvirt-qemu >/dev/null || groupadd -r libvirt-qemu
getent passwd libvirt-qemu >/dev/null ||
    useradd -r -g libvirt-qemu -G kvm -d /var/lib/libvirt -s /usr/sbin/nologin libvirt-qemu

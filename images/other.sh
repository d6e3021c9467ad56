# images/other.sh: rg-other, ringgate's second sample product, and the `other` image that runs
# it: the debian12 system (images/debian12.sh's debootstrap and tuning) with rg-other's Debian
# package installed by dpkg instead of the sensor. No rg-install, no RINGGATE-READY line: its
# contract is its catalogue entry's "guest" object. Sourced by images/build.sh, whose helpers
# and settings it uses (KV, out, here, log, die, fresh, stamp_all, pkg_versions, files_hash).
# shellcheck shell=bash disable=SC2154 # build.sh's globals

# variant version extra-cflags: the .deb builds of rg-other (images/other/).
OTHER_VARIANTS=(
    "1.0.0 1.0.0"
    "1.1.0 1.1.0"
    "1.1.0-bad 1.1.0 -DRG_OTHER_FAULT_NULL"
)
OTHER_PKGS=("${SENSOR_PKGS[@]}" dpkg)

hash_other_debs() {
    { echo "$KV"; pkg_versions "${OTHER_PKGS[@]}"; files_hash other other.sh build.sh; } |
        sha256sum | cut -c1-64
}

# The package's tree: the module for $KV, the daemon, the unit, the rules, DEBIAN/.
other_deb_tree() { # variant version flags dir
    local variant=$1 version=$2 flags=$3 dir=$4 t=$4/tree f
    mkdir -p "$dir/src"
    cp "$here/other/rg_other.c" "$here/other/Kbuild" "$dir/src/"
    make -C "/lib/modules/$KV/build" M="$dir/src" RG_VERSION="$version" \
        RG_FAULT_FLAGS="$flags" KBUILD_BUILD_TIMESTAMP="@$SOURCE_DATE_EPOCH" \
        KCFLAGS="-ffile-prefix-map=$dir/src/=" modules >"$dir/build.log" 2>&1 ||
        { cat "$dir/build.log" >&2; die "rg_other ($variant) does not build"; }
    install -d "$t/DEBIAN" "$t/lib/modules/$KV/updates" "$t/usr/sbin" "$t/lib/systemd/system" \
        "$t/etc/rg-other"
    strip --strip-debug -o "$t/lib/modules/$KV/updates/rg_other.ko" "$dir/src/rg_other.ko"
    chmod 0644 "$t/lib/modules/$KV/updates/rg_other.ko"
    gcc "${TOOL_CFLAGS[@]}" -DRG_OTHER_VERSION="\"$version\"" -o "$t/usr/sbin/rg-otherd" \
        "$here/other/rg-otherd.c"
    strip "$t/usr/sbin/rg-otherd"
    install -m 0644 "$here/other/rg-other.service" "$t/lib/systemd/system/"
    install -m 0644 "$here/other/rules.conf" "$t/etc/rg-other/"
    for f in control postinst postrm conffiles; do
        sed -e "s/@VERSION@/$version/g" -e "s/@KERNEL@/$KV/g" "$here/other/debian/$f" >"$t/DEBIAN/$f"
    done
    chmod 0755 "$t/DEBIAN/postinst" "$t/DEBIAN/postrm"
    (cd "$t" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
        xargs -0 md5sum >DEBIAN/md5sums)
    stamp_all "$t"
}

# rg-other_<version>_amd64.deb per variant, in images/build/other-pkg/<variant>/.
build_other_debs() {
    local h v variant version flags dir
    h=$(hash_other_debs)
    fresh "$out/other-pkg/.inputs" "$h" && return
    log "other: rg-other packages for $KV (${#OTHER_VARIANTS[@]} variants)"
    rm -rf "$out/other-pkg" && mkdir -p "$out/other-pkg"
    for v in "${OTHER_VARIANTS[@]}"; do
        read -r variant version flags <<<"$v"
        dir=$out/other-pkg/$variant
        other_deb_tree "$variant" "$version" "${flags:-}" "$dir"
        # Owned by root whoever builds; SOURCE_DATE_EPOCH clamps the members' times.
        dpkg-deb --root-owner-group -Zxz --build "$dir/tree" "$dir/rg-other_${version}_amd64.deb" \
            >/dev/null || die "dpkg-deb --build rg-other ($variant) failed"
        rm -rf "$dir/src" "$dir/tree"
    done
    echo "$h" >"$out/other-pkg/.inputs"
}

other_variant() { # update package name: the rg-other build it ships
    case $1 in
    other-agent-1.0.0) echo 1.0.0 ;;
    other-agent-1.1.0-good) echo 1.1.0 ;;
    other-agent-1.1.0-bad) echo 1.1.0-bad ;;
    *) die "images/updates/$1: no rg-other variant for this package" ;;
    esac
}

# The other image's product: rg-other 1.0.0 installed by dpkg in the image (as the vendor's
# own installer would have), and the two commands of its catalogue contract.
other_product() { # root
    local r=$1
    cp "$out"/other-pkg/1.0.0/rg-other_1.0.0_amd64.deb "$r/tmp/"
    chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin dpkg -i /tmp/rg-other_1.0.0_amd64.deb \
        >"$out/other/dpkg.log" 2>&1 || { cat "$out/other/dpkg.log" >&2; die "other: dpkg -i rg-other failed"; }
    rm -f "$r/tmp/rg-other_1.0.0_amd64.deb"
    install -m 0755 "$here/other/rg-other-install" "$here/other/rg-other-versions" "$r/usr/sbin/"
}

hash_other() {
    {
        echo "$KV $DEBIAN12_SUITE $d12_uri $d12_keyring ${DEBIAN12_PKGS[*]}"
        host_release
        pkg_versions "linux-image-$KV" debootstrap busybox-static e2fsprogs qemu-utils cpio kmod
        cat "$out/other-pkg/.inputs"
        files_hash debian12.sh debian12 other.sh other build.sh
    } | sha256sum | cut -c1-64
}

build_other() {
    local dir=$out/other h start_s
    . "$here/debian12.sh"
    build_other_debs
    debian12_mirror
    h=$(hash_other)
    if fresh "$dir/.inputs" "$h"; then
        log "other: up to date"
        return
    fi
    start_s=$(date +%s)
    debian12_bootstrap "$dir"
    log "other: debootstrap took $(($(date +%s) - start_s)) s"
    debian12_customize "$dir/root.d" rg-other other_product
    dpkg-query --admindir="$dir/root.d/var/lib/dpkg" -W -f '${Package}=${Version}\n' | sort >"$dir/packages.txt"
    debian12_boot_files "$dir"
    echo "$h" >"$dir/.inputs"
    log "other: built in $(($(date +%s) - start_s)) s ($(du -h "$dir/disk.qcow2" | cut -f1) disk)"
}

#!/usr/bin/env bash
# validate-deb.sh DIR [PACKAGE]: rg-other's content validator, run by ringgate on the host
# before any boot (a scenario's update.validator) with the package's files extracted in DIR.
# It checks the one .deb the package carries: a valid Debian package named rg-other for
# amd64, whose Version is the package manifest's version, that ships the module (of that
# version, for the manifest's target kernel), the daemon, the unit and a rules file the module
# accepts. The manifest is DIR/manifest.json, else the one in PACKAGE (the .rgpkg).
# Exit 0: accepted; 1: refused, one finding a line on stdout; 2: usage or host error.
set -uo pipefail
export LC_ALL=C

usage() {
    echo "validate-deb: $*" >&2
    echo "usage: validate-deb.sh DIR [PACKAGE.rgpkg]" >&2
    exit 2
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage "expected DIR and optionally PACKAGE"
dir=$1
pkg=${2:-}
[ -d "$dir" ] || usage "$dir: not a folder"
for tool in dpkg-deb jq modinfo tar; do
    command -v "$tool" >/dev/null || usage "$tool is not installed"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/rg-validate-deb.XXXXXX") || usage "cannot make a temporary folder"
trap 'rm -rf "$work"' EXIT
findings=0
finding() {
    echo "$*"
    findings=$((findings + 1))
}

if [ -f "$dir/manifest.json" ]; then
    cp "$dir/manifest.json" "$work/manifest.json"
elif [ -n "$pkg" ]; then
    tar -xOf "$pkg" manifest.json >"$work/manifest.json" 2>/dev/null ||
        usage "$pkg: no manifest.json (not a ringgate package?)"
else
    usage "$dir has no manifest.json and no PACKAGE was given"
fi
want=$(jq -r '.version // empty' "$work/manifest.json" 2>/dev/null) || usage "manifest.json: not JSON"
kernel=$(jq -r '.target.kernel // empty' "$work/manifest.json")
[ -n "$want" ] || usage "manifest.json: no version"

mapfile -t debs < <(find "$dir" -type f -name '*.deb' | sort)
if [ ${#debs[@]} -ne 1 ]; then
    finding "the package carries ${#debs[@]} .deb files; rg-other ships exactly one"
    exit 1
fi
deb=${debs[0]}
name=${deb#"$dir"/}
if ! dpkg-deb --info "$deb" >/dev/null 2>"$work/err"; then
    finding "$name: not a valid Debian package: $(head -n 1 "$work/err")"
    exit 1
fi
field() { dpkg-deb -f "$deb" "$1" 2>/dev/null; }
[ "$(field Package)" = rg-other ] || finding "$name: Package is '$(field Package)', not rg-other"
[ "$(field Architecture)" = amd64 ] || finding "$name: Architecture is '$(field Architecture)', not amd64"
version=$(field Version)
[ "$version" = "$want" ] ||
    finding "$name: Version $version is not the package's version $want (dpkg-query would report $version)"
[ "${name##*/}" = "rg-other_${version}_amd64.deb" ] ||
    finding "$name: the file name does not say rg-other_${version}_amd64.deb"

if ! dpkg-deb -x "$deb" "$work/root" 2>"$work/err"; then
    finding "$name: its data does not extract: $(head -n 1 "$work/err")"
    exit 1
fi
for f in usr/sbin/rg-otherd lib/systemd/system/rg-other.service etc/rg-other/rules.conf; do
    [ -f "$work/root/$f" ] || finding "$name: ships no /$f"
done
mapfile -t kos < <(cd "$work/root" && find . -path './lib/modules/*/updates/rg_other.ko' -type f | sort)
if [ ${#kos[@]} -ne 1 ]; then
    finding "$name: ships ${#kos[@]} rg_other.ko (one under /lib/modules/KERNEL/updates/ expected)"
else
    ko=$work/root/${kos[0]#./}
    kv=${kos[0]#./lib/modules/}
    kv=${kv%%/*}
    mv_version=$(modinfo -F version "$ko" 2>/dev/null)
    magic=$(modinfo -F vermagic "$ko" 2>/dev/null)
    [ -n "$magic" ] || finding "/lib/modules/$kv/updates/rg_other.ko: not a kernel module"
    [ -z "$magic" ] || [ "${magic%% *}" = "$kv" ] ||
        finding "/lib/modules/$kv/updates/rg_other.ko: built for ${magic%% *}, installed for $kv"
    [ -z "$magic" ] || [ "$mv_version" = "$version" ] ||
        finding "/lib/modules/$kv/updates/rg_other.ko: module version '$mv_version' is not the package's $version"
    [ -z "$kernel" ] || [ "$kv" = "$kernel" ] ||
        finding "/lib/modules/$kv/updates/rg_other.ko: for kernel $kv, the manifest targets $kernel"
fi

# The rules file, as the module's parser reads it (images/other/rg_other.c): a refused file
# leaves the daemon without its ready line at every boot.
rules=$work/root/etc/rg-other/rules.conf
if [ -f "$rules" ]; then
    [ "$(stat -c %s "$rules")" -le 16384 ] || finding "/etc/rg-other/rules.conf: larger than 16384 bytes"
    awk '
        NR == 1 { if ($0 != "RGOTHER 1") print "/etc/rg-other/rules.conf:1: the first line is not \"RGOTHER 1\""; next }
        /^[ \t]*(#|$)/ { next }
        {
            if (NF != 3 || ($1 != "allow" && $1 != "deny") || ($2 != "tcp" && $2 != "udp") ||
                $3 !~ /^[0-9]+(-[0-9]+)?$/) {
                printf "/etc/rg-other/rules.conf:%d: not \"allow|deny tcp|udp PORT[-PORT]\": %s\n", NR, $0
                next
            }
            n = split($3, p, "-"); lo = p[1] + 0; hi = (n == 2) ? p[2] + 0 : lo
            if (lo < 1 || hi > 65535 || hi < lo)
                printf "/etc/rg-other/rules.conf:%d: port range %s outside 1-65535 or reversed\n", NR, $3
            if (++rules == 129)
                printf "/etc/rg-other/rules.conf:%d: more than 128 rules\n", NR
        }' "$rules" >"$work/rules.out"
    while IFS= read -r line; do finding "$line"; done <"$work/rules.out"
fi
[ "$findings" -eq 0 ] || exit 1
echo "rg-other $version: valid (module for ${kv:-?}, rules ok)" >&2
exit 0

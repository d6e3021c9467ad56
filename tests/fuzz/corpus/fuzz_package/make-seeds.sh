#!/usr/bin/env bash
# Writes seed packages (ustar archives shaped like .rgpkg files) into $1: generated, so that
# no binary is committed. Their signatures are zeros: fuzz_package reads them as `package
# show` does without a key, fuzz_package_signed signs them with its test key. Several files
# and both kinds, so that a mutation can make two entries one (issue 15's crash).
set -euo pipefail
out=$(cd "$1" && pwd) tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
channel() { printf 'RGCHANNEL 1\nchannel %s\nversion %s\ninputs 20\nrule 1 match 1,2 x\n' "$1" "$2"; }

# entry PATH: one files[] member for $tmp/PATH.
entry() {
    local mode=0644
    [ -x "$tmp/$1" ] && mode=0755
    printf '{"mode": "%s", "path": "%s", "sha256": "%s", "size": %s}' "$mode" "$1" \
        "$(sha256sum <"$tmp/$1" | cut -c1-64)" "$(stat -c %s "$tmp/$1")"
}

# seed NAME KIND VERSION LISTED CARRIED: the manifest lists LISTED, the archive carries CARRIED.
seed() {
    local listed='' sep='' f
    for f in $4; do
        listed+="$sep$(entry "$f")"
        sep=', '
    done
    printf '{"description": "seed %s", "files": [%s], "format": "ringgate.pkg/v1", "kind": "%s", "name": "%s", "target": {"kernel": "6.1.0-28-amd64", "sensor": "1"}, "version": "%s"}' \
        "$1" "$listed" "$2" "$1" "$3" >"$tmp/manifest.json"
    head -c 64 /dev/zero >"$tmp/manifest.sig"
    # shellcheck disable=SC2086
    (cd "$tmp" && tar --format=ustar -b 1 --owner=0 --group=0 --numeric-owner --mtime=@0 \
        -cf "$out/$1.rgpkg" manifest.json manifest.sig $5)
}

mkdir -p "$tmp/files/channels/more"
channel 291 0292 >"$tmp/files/channels/291.rgc"
channel 292 0292 >"$tmp/files/channels/292.rgc"
channel 7 0292 >"$tmp/files/channels/more/7.rgc"
channel 291 9999 >"$tmp/files/channels/999.rgc"
printf '\177ELF not really a module\n' >"$tmp/files/rg_sensor.ko"
printf '#!/bin/sh\nexit 0\n' >"$tmp/files/tool.sh"
chmod 0755 "$tmp/files/tool.sh"

one=files/channels/291.rgc two="files/channels/291.rgc files/channels/292.rgc"
seed seed-good content 0292 "$one" "$one"
seed seed-content-two content 0292 "$two" "$two"
seed seed-content-nested content 1.10.0-rc1 "$two files/channels/more/7.rgc" \
    "$two files/channels/more/7.rgc"
seed seed-driver driver 1.1.0 "files/rg_sensor.ko files/tool.sh" "files/rg_sensor.ko files/tool.sh"
seed seed-version-mismatch content 0293 "files/channels/999.rgc" "files/channels/999.rgc"
(cd "$tmp" && tar --format=ustar -b 1 -cf "$out/seed-nosig.rgpkg" manifest.json files/rg_sensor.ko)
# Regression seeds: every crash found becomes one.
# Issue 15: one path listed twice, carried once (verify, show and run died with SIGSEGV).
seed regression-duplicate-path content 0292 "$one $one" "$one"

#!/usr/bin/env bash
# Builds images twice, into two fresh output folders (images/build.sh with RG_IMAGES_OUT), and
# compares every artefact byte for byte. Usage: images/check-reproducible.sh [--keep] [TARGET...]
# (default targets: tiny updates). Prints each differing file; exit 0 when all are identical,
# 1 when some differ, 2 on a usage error or a failed build. Both builds sign with the same key
# (images/build/keys/vendor.pem when present, else a throwaway one): packages are reproducible
# for a given key, not across keys.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
keep=0
targets=()
for a in "$@"; do
    case $a in
    --keep) keep=1 ;;
    tiny | updates | debian12 | other) targets+=("$a") ;;
    -h | --help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//' && exit 0 ;;
    *) echo "check-reproducible: unknown argument '$a' (--keep, tiny, updates, debian12, other)" >&2 && exit 2 ;;
    esac
done
[ ${#targets[@]} -gt 0 ] || targets=(tiny updates)

work=$(mktemp -d "${TMPDIR:-/tmp}/rg-repro.XXXXXX")
done_ok=0
finish() {
    if [ $keep = 1 ] || [ $done_ok = 0 ]; then
        echo "check-reproducible: both builds kept in $work/a and $work/b" >&2
    else
        rm -rf "$work"
    fi
}
trap finish EXIT

# One signing key for both builds.
mkdir -p "$work/a/keys" "$work/b/keys"
if [ -f "$here/build/keys/vendor.pem" ] && [ -f "$here/build/keys/foreign.pem" ]; then
    cp -p "$here/build/keys/"{vendor,foreign}.{pem,pub} "$work/a/keys/"
else
    for k in vendor foreign; do
        if ! openssl genpkey -algorithm ed25519 -out "$work/a/keys/$k.pem" 2>/dev/null ||
            ! openssl pkey -in "$work/a/keys/$k.pem" -pubout -out "$work/a/keys/$k.pub"; then
            echo "check-reproducible: openssl cannot make a signing key" >&2
            exit 2
        fi
    done
fi
cp -p "$work/a/keys/"* "$work/b/keys/"

for side in a b; do
    echo "check-reproducible: building ${targets[*]} into $work/$side" >&2
    # From different working folders too: nothing may depend on where the build runs.
    if ! (cd "$work/$side" && RG_IMAGES_OUT="$work/$side" bash "$here/build.sh" "${targets[@]}") \
        >"$work/$side.log" 2>&1; then
        tail -n 20 "$work/$side.log" >&2
        echo "check-reproducible: the build into $work/$side failed (log: $work/$side.log)" >&2
        exit 2
    fi
done

# Every artefact: the targets' folders, the sensor build and the rg-other packages, without
# build logs and scratch.
sums() { # dir
    (cd "$1" && find "${targets[@]}" sensor other-pkg -type f ! -name '*.log' ! -path '*/src/*' 2>/dev/null |
        LC_ALL=C sort | xargs -r sha256sum)
}
sums "$work/a" >"$work/a.sums"
sums "$work/b" >"$work/b.sums"

differ=$(join -j 2 -a 1 -a 2 -o 0,1.1,2.1 -e missing \
    <(awk '{ print $1, $2 }' "$work/a.sums" | sort -k 2) \
    <(awk '{ print $1, $2 }' "$work/b.sums" | sort -k 2) | awk '$2 != $3')
total=$(wc -l <"$work/a.sums")
if [ -n "$differ" ]; then
    echo "check-reproducible: $(echo "$differ" | wc -l) of $total files differ (file, sha256 a, sha256 b):"
    echo "$differ" | awk '{ printf "  %s\n    a %s\n    b %s\n", $1, $2, $3 }'
    exit 1
fi
for t in "${targets[@]}"; do
    [ -f "$work/a/$t/SHA256SUMS" ] && sed "s|  |  $t/|" "$work/a/$t/SHA256SUMS"
done
echo "check-reproducible: all $total files identical (${targets[*]})"
done_ok=1

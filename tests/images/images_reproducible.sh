#!/usr/bin/env bash
# Reproducible images: images/check-reproducible.sh builds tiny and every signed update twice,
# into two fresh folders from two working folders, and must find every file identical; the
# result must also match the tree that images/build.sh made (same recipe, same bytes).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
RINGGATE=${RINGGATE:-$root/build/ringgate}
export RINGGATE
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
log=$(mktemp /tmp/rgr.XXXXXX)
trap 'rm -f "$log"' EXIT

bash "$root/images/check-reproducible.sh" tiny updates >"$log" 2>&1
rc=$?
tail -n 12 "$log"
[ $rc -eq 0 ] && ok "check-reproducible exits 0" || fail "check-reproducible exits $rc"
grep -qE '^check-reproducible: all [0-9]+ files identical' "$log" && ok "every file identical" ||
    fail "not every file is identical"
# Its SHA256SUMS lines (target/file) against the tree images/build.sh made with the same key.
for t in tiny updates; do
    sums=$root/images/build/$t/SHA256SUMS
    [ -f "$sums" ] || { fail "images/build/$t is not built"; continue; }
    if diff <(grep -E "^[0-9a-f]{64}  $t/" "$log" | sed -e "s|  $t/|  |" -e 's|  \./|  |') <(sed 's|  \./|  |' "$sums") >/dev/null; then
        ok "$t: the same sha256 as images/build/$t"
    else
        fail "$t: another sha256 than images/build/$t"
        diff <(grep -E "^[0-9a-f]{64}  $t/" "$log") "$sums" | head
    fi
done

echo "images_reproducible: $failures failure(s)"
[ "$failures" -eq 0 ]

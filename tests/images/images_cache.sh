#!/usr/bin/env bash
# The images command's cache: a second images/build.sh over a built tree rebuilds nothing (every
# target says "up to date", no artefact is rewritten: same sha256, same mtime), and a changed
# input does rebuild (a recipe file edited in a copy of images/ is seen).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/images/build
RINGGATE=${RINGGATE:-$root/build/ringgate}
export RINGGATE
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
work=$(mktemp -d /tmp/rgi.XXXXXX)
trap 'rm -rf "$work"' EXIT

targets=(tiny updates)
[ -f "$build/debian12/.inputs" ] && targets+=(debian12) ||
    echo "note: debian12 is not built here; only tiny and updates are checked"
for t in "${targets[@]}"; do
    [ -f "$build/$t/.inputs" ] || { echo "FAIL: images/build/$t is not built (images/build.sh)"; exit 1; }
done

# Every artefact with its sha256 and mtime (build logs and scratch aside).
state() {
    (cd "$build" && find "${targets[@]}" sensor keys -type f ! -name '*.log' ! -path '*/src/*' |
        LC_ALL=C sort | while read -r f; do echo "$(sha256sum <"$f" | cut -c1-64) $(stat -c %Y "$f") $f"; done)
}
state >"$work/before"
bash "$root/images/build.sh" "${targets[@]}" >"$work/again.log" 2>&1
rc=$?
state >"$work/after"
[ $rc -eq 0 ] && ok "a second build exits 0" || { cat "$work/again.log"; fail "a second build exits $rc"; }
for t in "${targets[@]}"; do
    grep -qx "images: $t: up to date" "$work/again.log" && ok "$t: up to date" ||
        fail "$t was rebuilt: $(grep "images: $t" "$work/again.log")"
done
grep -q '^images: sensor:' "$work/again.log" && fail "the sensor was rebuilt" || ok "the sensor was not rebuilt"
if cmp -s "$work/before" "$work/after"; then
    ok "no artefact changed or was rewritten ($(wc -l <"$work/before") files)"
else
    fail "artefacts changed:"
    diff "$work/before" "$work/after" | head -n 20
fi

# A changed recipe is an input: a copy of images/ with one more comment line in the initramfs
# /init rebuilds tiny (and only tiny: the sensor's inputs did not change).
tar -C "$root" --exclude=images/build -cf - images | tar -C "$work" -xf -
mkdir -p "$work/out"
cp -a "$build/sensor" "$build/keys" "$build/tiny" "$work/out/"
RG_IMAGES_OUT=$work/out bash "$work/images/build.sh" tiny >"$work/same.log" 2>&1
grep -qx 'images: tiny: up to date' "$work/same.log" &&
    ok "a copy of the recipes with the same files is up to date" ||
    fail "a copy of the recipes rebuilt tiny: $(cat "$work/same.log")"
echo '# a changed input' >>"$work/images/guest/init"
RG_IMAGES_OUT=$work/out bash "$work/images/build.sh" tiny >"$work/changed.log" 2>&1
grep -q '^images: tiny: kernel' "$work/changed.log" && ok "a changed /init rebuilds tiny" ||
    fail "a changed /init did not rebuild tiny: $(cat "$work/changed.log")"
grep -q '^images: sensor:' "$work/changed.log" && fail "a changed /init rebuilt the sensor" ||
    ok "the sensor stays cached"
if cmp -s "$build/tiny/initrd.img" "$work/out/tiny/initrd.img"; then
    fail "the rebuilt initramfs does not carry the change"
else
    ok "the rebuilt initramfs differs"
fi

echo "images_cache: $failures failure(s)"
[ "$failures" -eq 0 ]

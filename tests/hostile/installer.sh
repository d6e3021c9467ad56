#!/usr/bin/env bash
# The guest installer (images/guest/rg-install) under busybox, the tiny image's userland, on
# packages whose tar headers carry setuid, setgid, sticky and world-writable bits, a foreign
# owner, a link and a version that is an option: what it installs is root's, 0644 or 0755.
# No VM: the installer runs on a scratch sensor folder (RG_SENSOR_DIR).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
installer=$root/images/guest/rg-install
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failed=0
fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

busybox=$(command -v busybox) || { echo "FAIL: busybox is not installed (scripts/install-deps.sh)"; exit 1; }
mkdir -p "$work/bin"
for applet in $("$busybox" --list); do
    ln -s "$busybox" "$work/bin/$applet"
done
# Durability is not under test here; a global sync would disturb the machine's other work.
rm "$work/bin/sync"
printf '#!%s sh\nexit 0\n' "$busybox" >"$work/bin/sync"
chmod 0755 "$work/bin/sync"

# install NAME: runs the installer on $work/NAME.rgpkg into $work/S; its exit code.
install() {
    mkdir -p "$work/S"
    env -i PATH="$work/bin" RG_SENSOR_DIR="$work/S" "$work/bin/sh" "$installer" \
        "$work/$1.rgpkg" >"$work/out" 2>&1
}

# pack NAME KIND VERSION: a package of $work/src (GNU tar, ustar, owner 1234).
pack() {
    printf '{"kind": "%s", "version": "%s"}\n' "$2" "$3" >"$work/src/manifest.json"
    head -c 64 /dev/zero >"$work/src/manifest.sig"
    tar --format=ustar --owner=1234 --group=1234 --numeric-owner -C "$work/src" \
        -cf "$work/$1.rgpkg" manifest.json manifest.sig files
}

# Content: the channel folder sticky and world-writable, files setuid, setgid, 0666.
mkdir -p "$work/src/files/channels"
for f in a b c; do
    printf 'RGCHANNEL 1\nchannel 291\nversion 0292\ninputs 20\nrule 1 match 1 x\n' \
        >"$work/src/files/channels/$f.rgc"
done
chmod 4755 "$work/src/files/channels/a.rgc"
chmod 2644 "$work/src/files/channels/b.rgc"
chmod 0666 "$work/src/files/channels/c.rgc"
chmod 1777 "$work/src/files/channels"
pack content content 0292
# The test means something only if the archive really carries those bits.
listing=$(tar -tvf "$work/content.rgpkg")
grep -q 'rwsr-xr-x.*a.rgc' <<<"$listing" || fail "the test archive has no setuid file"
grep -q 'rwxrwxrwt.*channels/$' <<<"$listing" || fail "the test archive has no sticky folder"
if install content; then
    d=$work/S/content/0292
    [ "$(stat -c %a "$d/a.rgc")" = 755 ] || fail "a.rgc (4755 in the archive) is $(stat -c %a "$d/a.rgc"), not 755"
    [ "$(stat -c %a "$d/b.rgc")" = 644 ] || fail "b.rgc (2644 in the archive) is $(stat -c %a "$d/b.rgc"), not 644"
    [ "$(stat -c %a "$d/c.rgc")" = 644 ] || fail "c.rgc (0666 in the archive) is $(stat -c %a "$d/c.rgc"), not 644"
    [ "$(stat -c %a "$d")" = 755 ] || fail "the channel folder (1777 in the archive) is $(stat -c %a "$d"), not 755"
    bad=$(find "$work/S" \( -perm /7022 -o ! -uid 0 -o ! -gid 0 \) -print)
    [ -z "$bad" ] || fail "installed with other bits or owners: $bad"
    grep -q 'RINGGATE-INSTALLED kind=content version=0292' "$work/out" || fail "no installed line: $(cat "$work/out")"
else
    fail "the content package was not installed: $(cat "$work/out")"
fi

# Driver: the module setuid.
rm -rf "$work/src/files"
mkdir -p "$work/src/files"
printf 'not really a module\n' >"$work/src/files/rg_sensor.ko"
chmod 4755 "$work/src/files/rg_sensor.ko"
pack driver driver 1.1.0
if install driver; then
    m=$work/S/driver/1.1.0/rg_sensor.ko
    [ "$(stat -c %a "$m")" = 755 ] || fail "rg_sensor.ko (4755 in the archive) is $(stat -c %a "$m"), not 755"
    [ -z "$(find "$work/S" -perm /7022 -print)" ] || fail "a setuid, setgid, sticky or writable bit survived"
else
    fail "the driver package was not installed: $(cat "$work/out")"
fi

# Refused, exit 2 (the package is at fault): a link, and a version that is an option.
ln -s /etc/shadow "$work/src/files/link"
pack link driver 1.2.0
install link
code=$?
[ "$code" = 2 ] && grep -q 'holds links or devices' "$work/out" || fail "a package with a link: exit $code: $(cat "$work/out")"
[ ! -e "$work/S/driver/1.2.0" ] || fail "the package with a link was installed"
rm "$work/src/files/link"
pack option driver -rf
install option
code=$?
[ "$code" = 2 ] && grep -q "bad version '-rf'" "$work/out" || fail "version '-rf': exit $code: $(cat "$work/out")"
[ -z "$(ls -A "$work/S" | grep -v '^content$\|^driver$\|^installed$')" ] || fail "left behind: $(ls -A "$work/S")"

[ "$failed" -eq 0 ] && echo "installer: modes masked to 0644/0755, owners root, links and option-like versions refused"
[ "$failed" -eq 0 ]

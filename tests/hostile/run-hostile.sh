#!/usr/bin/env bash
# The hostile set: every case gen_hostile writes, through each command its .case file names.
# A command must exit as expected with the expected message, within the time and memory
# bounds, print no sanitizer report and no control character, and leave no file behind.
# No VM boots: packages are refused before any would (and the catalogue's images do not
# exist, and the connection is libvirt's test driver, should a refusal ever go missing).
set -uo pipefail
gen=${1:?usage: run-hostile.sh GEN_HOSTILE RINGGATE}
ringgate=${2:?usage: run-hostile.sh GEN_HOSTILE RINGGATE}
max_s=${RG_HOSTILE_MAX_SECONDS:-60} # a hang, not a slow machine: ~0.2 s under ASan when idle
max_mib=${RG_HOSTILE_MAX_RSS_MIB:-1024}
min_cases=100
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
d=$work/cases
mkdir -p "$d" "$work/tmp" "$work/state"

for k in vendor rogue; do
    (umask 077 && openssl genpkey -algorithm ed25519 -out "$d/$k.pem") || exit 1
    openssl pkey -in "$d/$k.pem" -pubout -out "$d/$k.pub" || exit 1
done
"$gen" "$d" || exit 1
# verify-content runs the content validator a scenario names: the sample sensor's.
cat >"$work/validator.yaml" <<'EOF'
name: hostile-validator
update:
  package: none.rgpkg
  validator:
    command: [ringgate, validate-channels, --inputs, "20", --expect-version, "{version}", "{dir}"]
trust: {keys: [none.pub]}
matrix: {image: tiny}
EOF
listing() { find "$d" -printf '%P %s %y\n' | sort; }
before=$(listing)

# The argv of COMMAND for case NAME, into the array argv.
set_argv() {
    local pkg=$d/$2.rgpkg
    case $1 in
    verify) argv=(package verify "$pkg" --key "$d/vendor.pub") ;;
    verify-content) argv=(package verify "$pkg" --key "$d/vendor.pub" --validate-content "$work/validator.yaml") ;;
    verify-candidate) argv=(package verify "$pkg" --key "$d/vendor.pub" --baseline "$d/good.rgpkg") ;;
    verify-key) argv=(package verify "$d/good.rgpkg" --key "$d/$2.key") ;;
    show) argv=(package show "$pkg") ;;
    show-key) argv=(package show "$pkg" --key "$d/vendor.pub") ;;
    run) argv=(run --connect test:///default -q -o "$work/reports" "$d/$2.yaml") ;;
    run-update)
        argv=(run --connect test:///default -q -o "$work/reports" --update "$pkg" "$d/good.yaml")
        ;;
    *) return 1 ;;
    esac
}

cases=0 commands=0 failed=0 worst_s=0 worst_s_at='' worst_kib=0 worst_kib_at=''
fail() {
    echo "FAIL $name: $cmd: $*"
    sed 's/^/    | /' "$work/err" | head -n 8
    failed=$((failed + 1))
}

for case_file in "$d"/*.case; do
    name=$(basename "$case_file" .case)
    cases=$((cases + 1))
    n=0
    while read -r cmd want msg; do
        [ -n "$cmd" ] || continue
        n=$((n + 1))
        commands=$((commands + 1))
        if ! set_argv "$cmd" "$name"; then
            fail "unknown command in $case_file"
            continue
        fi
        TMPDIR=$work/tmp RINGGATE_STATE_DIR=$work/state NO_COLOR=1 \
            /usr/bin/time -f '%M %e' -o "$work/usage" \
            timeout -s KILL "$max_s" "$ringgate" "${argv[@]}" </dev/null >"$work/out" 2>"$work/err"
        code=$?
        read -r kib secs < <(tail -n 1 "$work/usage")
        if [ "$code" = 137 ]; then
            fail "killed after ${max_s}s (a hang)"
            continue
        fi
        if [ "$want" = any ]; then
            [ "$code" = 0 ] || [ "$code" = 2 ] || fail "exit $code, expected 0 or 2"
        elif [ "$code" != "$want" ]; then
            fail "exit $code, expected $want"
        fi
        if [ -n "$msg" ] && ! grep -qF -- "$msg" "$work/out" "$work/err"; then
            fail "no message '$msg'"
        fi
        if [ "$want" = 2 ] && ! grep -q 'error: ' "$work/err"; then
            fail "refused without an 'error:' line"
        fi
        if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$work/err"; then
            fail "sanitizer report"
        fi
        if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$work/out" "$work/err"; then
            fail "a control character reached the terminal"
        fi
        if [ "$((kib / 1024))" -gt "$max_mib" ]; then
            fail "$((kib / 1024)) MiB of memory, more than $max_mib"
        fi
        if [ -n "$(ls -A "$work/tmp")" ]; then
            fail "left temporary files: $(ls -A "$work/tmp" | head -n 3 | tr '\n' ' ')"
            rm -rf "${work:?}/tmp/"* "${work:?}/tmp/".[!.]* 2>/dev/null
        fi
        if [ -e "$work/reports" ] && [ -n "$(ls -A "$work/reports")" ]; then
            fail "wrote a report for a refused run"
            rm -rf "$work/reports"
        fi
        if awk -v a="$secs" -v b="$worst_s" 'BEGIN { exit !(a > b) }'; then
            worst_s=$secs worst_s_at="$name $cmd"
        fi
        if [ "$kib" -gt "$worst_kib" ]; then
            worst_kib=$kib worst_kib_at="$name $cmd"
        fi
    done <"$case_file"
    [ "$n" -gt 0 ] || { cmd=none; fail "the case names no command"; }
done

if [ "$(listing)" != "$before" ]; then
    cmd=all
    name=set
    diff <(echo "$before") <(listing) | head -n 10
    fail "the commands changed the case folder"
fi
if [ -n "$(ls -A "$work/state")" ]; then
    cmd=all
    name=set
    fail "the refused runs left state: $(ls -A "$work/state" | tr '\n' ' ')"
fi
if [ "$cases" -lt "$min_cases" ]; then
    cmd=all
    name=set
    fail "only $cases cases (expected at least $min_cases): is the generator broken?"
fi
echo "hostile: $cases cases, $commands commands, $failed failed; slowest ${worst_s}s ($worst_s_at), largest $((worst_kib / 1024)) MiB ($worst_kib_at)"
[ "$failed" -eq 0 ]

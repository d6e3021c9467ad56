#!/usr/bin/env bash
# Golden CLI tests: each malformed scenario must exit 2 and print exactly its expected errors;
# --shard's usage errors and plan --shards' split; report's Prometheus and annotation formats.
# RG_UPDATE_GOLDEN=1 rewrites the .err files (review the diff before committing it).
set -uo pipefail
ringgate=${1:?usage: run-golden.sh RINGGATE}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
export RINGGATE_CATALOG=tests/golden/catalog.json
cd "$root"
pass=0 fail=0
for yaml in tests/golden/scenarios/*.yaml; do
    expected=${yaml%.yaml}.err
    actual=$("$ringgate" validate "$yaml" 2>&1 >/dev/null)
    code=$?
    if [ "${RG_UPDATE_GOLDEN:-0}" = 1 ]; then
        printf '%s\n' "$actual" > "$expected"
    fi
    if [ "$code" -ne 2 ]; then
        echo "FAIL $yaml: exit $code, expected 2"
        fail=$((fail + 1))
    elif ! diff -u "$expected" <(printf '%s\n' "$actual"); then
        echo "FAIL $yaml: messages differ (above)"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
# The shipped scenarios must stay valid (file checks off: packages are built by images/).
for yaml in scenarios/*.yaml; do
    if "$ringgate" validate --no-files --quiet "$yaml"; then
        pass=$((pass + 1))
    else
        echo "FAIL $yaml: a sample scenario does not validate"
        fail=$((fail + 1))
    fi
done
# report --format prometheus|github-annotations: what the unit tests hold as golden files;
# -o FILE keeps the last pass of the FILE it replaces; an unwritable FILE is named, exit 2.
fx=tests/golden/rendered-from-fixtures
tmp=$(mktemp -d /tmp/rg-golden.XXXXXX)
prom() { sed -n "s/^$1 //p" "$tmp/m.prom"; }
if "$ringgate" report "$fx/hostile" -f prometheus | cmp -s - "$fx/hostile/metrics.prom" &&
    "$ringgate" report "$fx/block-0291" -f github-annotations |
    cmp -s - "$fx/block-0291/annotations.txt" &&
    "$ringgate" report "$fx/pass-smoke" -f prometheus -o "$tmp/m.prom" >/dev/null &&
    passed=$(prom ringgate_last_pass_timestamp_seconds) && [ "$passed" != 0 ] &&
    "$ringgate" report "$fx/block-0291" -f prometheus -o "$tmp/m.prom" >"$tmp/out" &&
    [ "$(cat "$tmp/out")" = "$tmp/m.prom" ] &&
    [ "$(prom ringgate_last_pass_timestamp_seconds)" = "$passed" ] &&
    [ "$(prom ringgate_run_exit_code)" = 1 ] && [ "$(ls -A "$tmp")" = "$(printf 'm.prom\nout')" ]
then
    pass=$((pass + 1))
else
    echo "FAIL report --format prometheus|github-annotations"
    fail=$((fail + 1))
fi
msg=$("$ringgate" report "$fx/hostile" -f prometheus -o "$tmp/nodir/m.prom" 2>&1)
code=$?
if [ "$code" -ne 2 ] || ! grep -q "$tmp/nodir/m.prom: error: cannot write" <<<"$msg"; then
    echo "FAIL report -f prometheus -o unwritable: exit $code, '$msg'"
    fail=$((fail + 1))
else
    pass=$((pass + 1))
fi
# run --github-annotations with no run (a scenario refused): its errors, file and line marked.
out=$(RINGGATE_STATE_DIR=$tmp/state "$ringgate" run --github-annotations \
    tests/golden/scenarios/06-missing-package.yaml 2>/dev/null)
code=$?
if [ "$code" -ne 2 ] || [ "$out" != "::error file=tests/golden/scenarios/06-missing-package.yaml,\
line=3,col=12,title=ringgate::'update.package': cannot read '../fixtures/sensor-content-9999.rgpkg\
': No such file or directory" ]; then
    echo "FAIL run --github-annotations on a refused scenario: exit $code, '$out'"
    fail=$((fail + 1))
else
    pass=$((pass + 1))
fi
rm -rf "$tmp"
# --shard I/N: a bad value is a usage error (exit 2, nothing loaded, nothing booted).
for bad in 2/2 -1/2 0/0 1 a/b 1/2x; do
    msg=$("$ringgate" run --shard "$bad" scenarios/smoke.yaml 2>&1 >/dev/null)
    code=$?
    if [ "$code" -ne 2 ] || ! grep -q -- "--shard" <<<"$msg"; then
        echo "FAIL run --shard $bad: exit $code, '$msg'"
        fail=$((fail + 1))
    else
        pass=$((pass + 1))
    fi
done
# plan --shards: the same split twice, every planned cell in exactly one shard.
shards=$("$ringgate" plan --no-files --shards 3 scenarios/*.yaml 2>&1)
again=$("$ringgate" plan --no-files --shards 3 scenarios/*.yaml 2>&1)
planned=$("$ringgate" plan --no-files --shards 1 scenarios/*.yaml | sed -n '/^shard 0\/1/,$p' |
    grep '^  ' | sort)
split=$(grep '^  [^ ]*/[^ ]*$' <<<"$shards" | sort)
if [ "$shards" != "$again" ] || [ -z "$planned" ] || [ "$planned" != "$split" ] ||
    [ "$(uniq -d <<<"$split")" != "" ]; then
    echo "FAIL plan --shards 3: not deterministic, or cells lost or repeated"
    fail=$((fail + 1))
else
    pass=$((pass + 1))
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

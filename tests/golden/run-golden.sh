#!/usr/bin/env bash
# Golden CLI tests: each malformed scenario must exit 2 and print exactly its expected errors.
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
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]

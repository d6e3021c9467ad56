#!/usr/bin/env bash
# End-to-end test of the HTML report: `ringgate report --format html` on every fixture report,
# rendered by headless Chromium; the DOM must hold the grid, the findings, the timelines and
# (with metrics) the plots, and no script. RG_SCREENSHOTS=DIR keeps the screenshots there.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
RINGGATE=${RINGGATE:-$root/build/ringgate}
fixtures=$root/tests/golden/rendered-from-fixtures
work=$(mktemp -d /tmp/rg-html.XXXXXX)
trap 'rm -rf "$work"' EXIT
failures=0
start=$SECONDS

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
check() { # description, command...
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

# The command line first: it needs no browser.
mkdir -p "$work/empty" "$work/broken"
"$RINGGATE" report "$work/empty" >/dev/null 2>"$work/err"
check "a folder without report.json exits 2" [ $? -eq 2 ]
check "the message names the file" grep -q "$work/empty/report.json" "$work/err"
printf '{\n  "schema": "ringgate.report/v1",\n  "cells": [,]\n}\n' >"$work/broken/report.json"
"$RINGGATE" report "$work/broken" --format html >/dev/null 2>"$work/err"
check "invalid JSON exits 2" [ $? -eq 2 ]
check "the message gives the JSON line and column" grep -q "report.json:3:[0-9]*: error:" "$work/err"
check "no index.html is left by a failed run" [ ! -e "$work/broken/index.html" ]
"$RINGGATE" report "$fixtures/pass-two-cells" --format yaml >/dev/null 2>&1
check "an unknown format exits 2" [ $? -eq 2 ]

chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
    echo "SKIPPED: chromium not installed (scripts/install-deps.sh installs it)"
    echo "e2e $(basename "$0" .sh): $failures failure(s)"
    [ "$failures" -eq 0 ]
    exit
fi

# One page: its DOM as Chromium parsed it, and a screenshot (older Chromiums do one per run).
render() { # html, dom-out, png-out
    local flags=(--headless --no-sandbox --disable-gpu --disable-background-networking
        --disable-component-update --disable-sync --no-first-run --hide-scrollbars
        --user-data-dir="$(mktemp -d "$work/profile.XXXXXX")" --window-size=1280,2000)
    timeout 120 "$chromium" "${flags[@]}" --screenshot="$3" --dump-dom "file://$1" \
        >"$2" 2>>"$work/chromium.log"
    [ -s "$3" ] || timeout 120 "$chromium" "${flags[@]}" --screenshot="$3" "file://$1" \
        >/dev/null 2>>"$work/chromium.log"
}

count() { grep -o -- "$1" "$2" | wc -l; }

for dir in "$fixtures"/*/; do
    name=$(basename "$dir")
    run=$work/runs/$name
    mkdir -p "$run"
    cp "$dir/report.json" "$run/"
    if ! "$RINGGATE" report "$run" --format html >/dev/null; then
        fail "$name: ringgate report --format html"
        continue
    fi
    render "$run/index.html" "$run/dom.html" "$run/index.png"
    dom=$run/dom.html
    cells=$(jq '.cells | length' "$run/report.json")
    dedup=$(jq '.findings | length' "$run/report.json")
    metrics=$(jq '[.cells[].metrics[]] | length' "$run/report.json")
    check "$name: Chromium rendered the page" grep -q '</html>' "$dom"
    check "$name: the verdict banner" grep -q '<header id="verdict" class="banner v-' "$dom"
    check "$name: the matrix is a grid" grep -q '<div id="matrix">' "$dom"
    check "$name: the grid shows all $cells cells" \
        [ "$(count '<td class="gc v-[a-z]*"><a href="#cell-[0-9]*"><b>' "$dom")" -eq "$cells" ]
    check "$name: the findings section" grep -q '<section id="findings">' "$dom"
    check "$name: $dedup deduplicated findings" [ "$(count '<tr class="finding-row">' "$dom")" -eq "$dedup" ]
    check "$name: a timeline per cell" [ "$(count '<svg class="timeline"' "$dom")" -eq "$cells" ]
    check "$name: $metrics plots" [ "$(count '<svg class="plot"' "$dom")" -eq "$metrics" ]
    check "$name: no script element" bash -c "! grep -qi '<script' '$dom'"
    check "$name: a screenshot" [ "$(stat -c %s "$run/index.png" 2>/dev/null || echo 0)" -gt 10000 ]
    if [ -n "${RG_SCREENSHOTS:-}" ]; then
        mkdir -p "$RG_SCREENSHOTS"
        cp "$run/index.png" "$RG_SCREENSHOTS/$name.png"
    fi
done
perf=$work/runs/perf-regression/dom.html
check "perf-regression: the plots carry the threshold" grep -q 'threshold +5.0 %' "$perf"
check "perf-regression: baseline and candidate samples drawn" \
    [ "$(count '<circle class="dot c"' "$perf")" -eq 30 ]
check "block-0291-two-cells: crash lines highlighted" \
    grep -q '<span class="hl">BUG: kernel NULL pointer dereference' "$work/runs/block-0291-two-cells/dom.html"
check "hostile: the injected markup stays text" \
    grep -q '&lt;img src=x onerror=alert(3)&gt;' "$work/runs/hostile/dom.html"

echo "chromium: $("$chromium" --version 2>/dev/null | head -n 1); $((SECONDS - start)) s"
echo "e2e $(basename "$0" .sh): $failures failure(s)"
[ "$failures" -eq 0 ]

#!/usr/bin/env bash
# Sharding across processes: a 4-cell plan (a good content update and a driver that crashes
# at boot, 2 cells each) run once in one process, then as 2 shards in 2 processes at once,
# each with its own state folder (its own embedded libvirt), as two hosts would. The merge
# must give the same cells, verdicts and blocking findings as the single run; a lost shard
# must make the merge inconclusive (exit 3) naming its cells; shards of another plan are
# refused (exit 2) before anything is written. Timings go to the log (the closing note).
. "$(dirname "$0")/lib.sh"

plan=("$scen/shard-good.yaml" "$scen/shard-bootcrash.yaml")

t0=$(date +%s.%N)
run_gate "${plan[@]}"
t1=$(date +%s.%N)
single=$run
check "single: exit 1 (the boot crash blocks)" [ "$rc" -eq 1 ]
check "single: 4 cells" [ "$(jq -r '.cells | length' "$single/report.json")" -eq 4 ]

shard() { # index: one shard, its own state folder and report folder
    RINGGATE_STATE_DIR=$work/state-$1 "$RINGGATE" run -j 1 -o "$work/shard-$1" --shard "$1/2" \
        "${plan[@]}" >"$work/shard-$1.out" 2>&1
    echo $? >"$work/shard-$1.rc"
}
t2=$(date +%s.%N)
shard 0 &
shard 1 &
wait
t3=$(date +%s.%N)
s0=$(ls -1d "$work"/shard-0/*/ | head -n 1)
s1=$(ls -1d "$work"/shard-1/*/ | head -n 1)
s0=${s0%/} s1=${s1%/}
check "shard 0: exit 1 (its crash cell blocks)" [ "$(cat "$work/shard-0.rc")" -eq 1 ]
check "shard 1: exit 1" [ "$(cat "$work/shard-1.rc")" -eq 1 ]
check "shards: 2 cells each" \
    [ "$(jq -r '.cells | length' "$s0/report.json" "$s1/report.json" | paste -sd+)" = "2+2" ]

"$RINGGATE" merge "$s0" "$s1" -o "$work/merged" >"$work/merge.out" 2>&1
mrc=$?
tail -n 12 "$work/merge.out"
merged=$work/merged
check "merge: exit 1, as the single run" [ "$mrc" -eq 1 ]
# The cells, their verdicts and their blocking findings (class and title), in plan order.
summary() {
    jq -c '[.cells[] | {cell: "\(.scenario)/\(.id)", verdict,
        block: ([.findings[] | select(.action == "block") | "\(.class): \(.title)"] | unique)}]' \
        "$1/report.json"
}
check "merge: the same cells, verdicts and blocking findings as the single run" \
    [ "$(summary "$merged")" = "$(summary "$single")" ]
[ "$(summary "$merged")" = "$(summary "$single")" ] ||
    diff <(summary "$single" | jq .) <(summary "$merged" | jq .)
check "merge: the same deduplicated findings" \
    [ "$(jq -c '[.findings[] | {class, title, action, cells}]' "$merged/report.json")" = \
      "$(jq -c '[.findings[] | {class, title, action, cells}]' "$single/report.json")" ]
check "merge: nothing missing or duplicated" \
    jq -e '.merge.missing == [] and .merge.duplicated == [] and (.merge.shards | length) == 2' \
    "$merged/report.json"
check "merge: junit.xml and index.html" [ -s "$merged/junit.xml" ] && [ -s "$merged/index.html" ]
log=$merged/$(jq -r '[.cells[] | select(.scenario == "shard-bootcrash")][1].console_log' \
    "$merged/report.json")
check "merge: the crash cell's console log came along, with the crash" \
    grep -q "Kernel panic\|BUG:\|Oops" "$log"
"$RINGGATE" bundle "$merged" --cell shard-bootcrash/tiny-2c-256m -o "$work/cell.tar.gz" \
    >/dev/null 2>"$work/bundle.err"
check "bundle works on the merged run" [ -s "$work/cell.tar.gz" ]
# reproduce reads the merged report: the crash cell's baseline and candidate boots again.
"$RINGGATE" reproduce "$merged" --cell shard-bootcrash/tiny-2c-256m --boot 2 -q \
    -o "$work/repro" >"$work/repro.out" 2>&1
rrc=$?
check "reproduce on the merged run: the crash again (exit 1)" [ "$rrc" -eq 1 ]
[ "$rrc" -eq 1 ] || tail -n 15 "$work/repro.out"

# A lost shard: shard 1's report is gone.
rm "$s1/report.json"
"$RINGGATE" merge "$s0" "$s1" -o "$work/lost" >"$work/lost.out" 2>&1
lrc=$?
check "lost shard: exit 3 (inconclusive), never a pass" [ "$lrc" -eq 3 ]
check "lost shard: the verdict is inconclusive, not block" \
    [ "$(jq -r .verdict "$work/lost/report.json")" = inconclusive ]
check "lost shard: its cells are named missing" \
    jq -e '.merge.missing == ["shard-good/tiny-2c-256m", "shard-bootcrash/tiny-2c-256m"]' \
    "$work/lost/report.json"
check "lost shard: the message names them" grep -q "tiny-2c-256m" "$work/lost.out"

# Shards of another plan: shard 0 of a 2-cell plan does not merge with the 4-cell plan's.
RINGGATE_STATE_DIR=$work/state-x "$RINGGATE" run -o "$work/other" --shard 1/2 \
    "$scen/shard-good.yaml" >/dev/null 2>&1
"$RINGGATE" merge "$s0" "$work"/other/*/ -o "$work/refused" >"$work/refused.out" 2>&1
check "another plan: exit 2" [ $? -eq 2 ]
check "another plan: the message names the field" grep -q "shard.digests.scenarios" "$work/refused.out"
check "another plan: nothing written" [ ! -e "$work/refused" ]

awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" 'BEGIN {
    printf "timing: single process %.1f s, 2 shards in 2 processes %.1f s (wall)\n", b - a, d - c }'
finish

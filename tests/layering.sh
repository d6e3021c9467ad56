#!/usr/bin/env bash
# The house's rule: each folder of harness/ is a layer, and its files include headers of their
# own layer or of a layer below only (peers on one floor do not include each other). Prints
# every include that points up or sideways, and fails if there is one.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root/harness"
declare -A floor=([util]=0 [console]=1 [hv]=1 [package]=1 [model]=1 [engine]=2 [report]=3 [cli]=4)
bad=0
for dir in */; do
    layer=${dir%/}
    if [ -z "${floor[$layer]+set}" ]; then
        echo "harness/$layer: a folder that is not a known layer (add it to tests/layering.sh)"
        bad=$((bad + 1))
        continue
    fi
    for f in "$layer"/*.[ch]; do
        while IFS=: read -r line inc; do
            target=${inc%%/*}
            if [ "$target" = "$inc" ]; then
                echo "harness/$f:$line: \"$inc\" does not name its layer"
                bad=$((bad + 1))
            elif [ -z "${floor[$target]+set}" ]; then
                echo "harness/$f:$line: \"$inc\" is in no layer"
                bad=$((bad + 1))
            elif [ "$target" != "$layer" ] && [ "${floor[$target]}" -ge "${floor[$layer]}" ]; then
                echo "harness/$f:$line: $layer (floor ${floor[$layer]}) includes \"$inc\" (floor ${floor[$target]})"
                bad=$((bad + 1))
            fi
        done < <(grep -n '^#include "' "$f" |
                 sed 's/^\([0-9]*\):#include "\([^"]*\)".*/\1:\2/')
    done
done
[ "$bad" -eq 0 ] && echo "layering: every include points down" || echo "layering: $bad include(s) out of place"
[ "$bad" -eq 0 ]

#!/usr/bin/env bash
# Tries the container the way a CI engine uses it: builds it (ci/container/build.sh), runs each
# shard of a scenario in its own container with its own state and report folders, one after the
# other (one VM at a time on a shared host), then merges the shards' reports with
# `ringgate merge` in one more container. Exit: the merged verdict (0 pass, 1 block, 2 usage or
# mismatched shards, 3 inconclusive); 3 also when a shard wrote no report or this ringgate has no
# merge command.
#
# Usage: ci/container/try-shards.sh [--no-build] [--shards N] [--out DIR] [SCENARIO...]
#   SCENARIO  paths inside the image, relative to /opt/ringgate
#             (default: scenarios/content-update.yaml, 2 tiny cells)
#   --shards  N (default 2)
#   --out     host folder for shard-I/{reports,state} and merged/ (default build/try-shards;
#             emptied first)
#   --no-build  use the image as it is
# RG_ENGINE=podman|docker (default podman), RG_IMAGE (default localhost/ringgate:latest).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
engine=${RG_ENGINE:-podman}
image=${RG_IMAGE:-localhost/ringgate:latest}
build=1
shards=2
out=$top/build/try-shards
scenarios=()

die() {
    printf 'try-shards: error: %s\n' "$*" >&2
    exit 2
}
log() { printf 'try-shards: %s\n' "$*" >&2; }

while [ $# -gt 0 ]; do
    case $1 in
    --no-build) build=0; shift ;;
    --shards) shards=${2:?--shards needs a value}; shift 2 ;;
    --out) out=${2:?--out needs a value}; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) die "unknown option '$1' (see --help)" ;;
    *) scenarios+=("$1"); shift ;;
    esac
done
[[ $shards =~ ^[1-9][0-9]*$ ]] || die "--shards must be a positive number, not '$shards'"
[ ${#scenarios[@]} -gt 0 ] || scenarios=(scenarios/content-update.yaml)
command -v "$engine" >/dev/null || die "$engine is not installed"

if [ "$build" = 1 ]; then
    t=$(date +%s)
    bash "$here/build.sh" --engine "$engine" --tag "$image"
    log "image built in $(($(date +%s) - t)) s"
fi

# Engine flags. Plain `run` first; some hosts need more: on a host whose cgroup v1 hierarchy
# crun refuses ("cgroups in hybrid mode not supported") runc with cgroupfs works, and where the
# engine may not raise resource limits (no CAP_SYS_RESOURCE) explicit lower ulimits do.
eng=("$engine")
runflags=(--rm)
if ! "${eng[@]}" run "${runflags[@]}" "$image" version >/dev/null 2>&1; then
    if [ "$engine" = podman ]; then eng+=(--runtime runc --cgroup-manager cgroupfs); fi
    runflags+=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
    "${eng[@]}" run "${runflags[@]}" "$image" version >/dev/null ||
        die "$engine cannot run $image (tried plain and with ${eng[*]:1} ${runflags[*]:1})"
    log "engine flags for this host: ${eng[*]:1} ${runflags[*]:1}"
fi
# The embedded libvirt driver creates cgroups for its QEMU processes: the container needs a
# writable /sys/fs/cgroup, which --privileged gives. /dev/kvm where the host has one (ringgate
# falls back to TCG by itself when KVM is unusable).
vmflags=(--privileged)
[ ! -e /dev/kvm ] || vmflags+=(--device /dev/kvm)

rm -rf "$out"
mkdir -p "$out"
"${eng[@]}" run "${runflags[@]}" "$image" plan "${scenarios[@]}" --shards "$shards"

runs=()
worst=0
for ((i = 0; i < shards; i++)); do
    mkdir -p "$out/shard-$i/reports" "$out/shard-$i/state"
    t=$(date +%s)
    rc=0
    "${eng[@]}" run "${runflags[@]}" "${vmflags[@]}" \
        -v "$out/shard-$i/reports:/reports" -v "$out/shard-$i/state:/var/lib/ringgate" \
        "$image" run "${scenarios[@]}" --shard "$i/$shards" -j 1 -o /reports \
        --summary-md /reports/summary.md -q || rc=$?
    log "shard $i/$shards: exit $rc in $(($(date +%s) - t)) s"
    [ "$rc" -le "$worst" ] || worst=$rc
    run=$(cd "$out/shard-$i/reports" && find . -mindepth 2 -maxdepth 2 -name report.json)
    if [ -z "$run" ]; then
        log "shard $i wrote no report.json: the merge will find its cells missing"
        continue
    fi
    runs+=("/try/shard-$i/reports/$(dirname "${run#./}")")
done

if ! "${eng[@]}" run "${runflags[@]}" "$image" help merge >/dev/null 2>&1; then
    log "this ringgate has no merge command: no merged verdict (worst shard exit: $worst)"
    exit 3
fi
[ ${#runs[@]} -gt 0 ] || { log "no shard wrote a report: nothing to merge"; exit 3; }
# -o names the merged run's folder, which merge creates (it must not exist).
t=$(date +%s)
rc=0
"${eng[@]}" run "${runflags[@]}" -v "$out:/try" "$image" \
    merge "${runs[@]}" -o /try/merged --summary-md /try/merged-summary.md || rc=$?
log "merge: exit $rc in $(($(date +%s) - t)) s; reports in $out/merged"
exit "$rc"

#!/usr/bin/env bash
# The demo: installs packages, builds ringgate and the guest images, then gates a clean
# content update (it passes) and Channel File 291's twin (it is blocked), and shows the report.
set -uo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==== %s\n' "$*"; }

if [ "${RG_SKIP_DEPS:-0}" != 1 ]; then
    step "installing Debian packages"
    bash scripts/install-deps.sh || exit 2
fi
step "building ringgate"
cmake --preset default >/dev/null && cmake --build build -j"$(nproc)" || exit 2
step "building the tiny guest image and the sample updates"
# Only what the demo boots: debian12 (images/build.sh debian12) is for the nightly scenario.
RINGGATE="$PWD/build/ringgate" bash images/build.sh tiny updates || exit 2

rg=build/ringgate
step "the plan"
$rg plan scenarios/content-update.yaml || exit 2

step "gate 1: sensor-content-0292-good (a clean content update)"
$rg run scenarios/content-update.yaml -o reports
good=$?

step "gate 2: sensor-content-0291 (references input field 21: the Channel File 291 bug)"
# The content validator refuses it before any boot; --boot-anyway boots it regardless, so the
# report also shows what the validator prevented: the crash, the boot loop, the rollback.
$rg run scenarios/content-update.yaml -o reports --boot-anyway \
    --update images/build/updates/sensor-content-0291.rgpkg
bad=$?

step "result"
echo "sensor-content-0292-good: exit $good (expected 0: pass)"
echo "sensor-content-0291:      exit $bad (expected 1: blocked)"
latest=$(ls -1dt reports/*/ | head -n 1)
echo "reports are in reports/; the last one: ${latest}report.json"
[ "$good" -eq 0 ] && [ "$bad" -eq 1 ]

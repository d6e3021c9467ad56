# Shared helpers for the end-to-end tests: each test boots real VMs through ringgate.
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
RINGGATE=${RINGGATE:-$root/build/ringgate}
updates=$root/images/build/updates
scen=$root/tests/e2e/scenarios
work=$(mktemp -d /tmp/rge.XXXXXX)
export RINGGATE_STATE_DIR=$work/state
out=$work/reports
failures=0

cleanup() {
    # A test that fails must not leave VMs behind for the next one. Only this test's: their
    # command lines name overlays in its state folder (other runs may share the machine).
    pkill -f "guest=rg-.*$work/" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

[ -f "$root/images/build/tiny/disk.qcow2" ] || { echo "FAIL: images not built (images/build.sh)"; exit 1; }

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

check() { # description, command...
    local what=$1
    shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

# Runs ringgate, recording its exit code in $rc and the run folder in $run.
run_gate() {
    "$RINGGATE" run -o "$out" "$@" >"$work/run.out" 2>&1
    rc=$?
    run=$(ls -1dt "$out"/*/ 2>/dev/null | head -n 1)
    run=${run%/}
    tail -n 25 "$work/run.out"
}

jq_report() { jq -r "$1" "$run/report.json"; }

no_qemu_left() {
    ! pgrep -f "guest=rg-.*$work/" >/dev/null
}

state_clean() { # no run state (overlays) left
    [ -z "$(ls -A "$RINGGATE_STATE_DIR/runs" 2>/dev/null)" ]
}

finish() {
    check "no QEMU process left" no_qemu_left
    check "no overlay or run state left" state_clean
    echo "e2e $(basename "$0" .sh): $failures failure(s)"
    [ "$failures" -eq 0 ]
}

# junit.xml against the strict Apache Ant schema, when ../shared is beside the checkout.
junit_valid() {
    local xsd=$root/../shared/junit/JUnit.xsd
    if [ ! -f "$xsd" ]; then
        echo "SKIPPED: JUnit schema validation ($xsd is absent)"
        return 0
    fi
    xmllint --noout --schema "$xsd" "$run/junit.xml"
}

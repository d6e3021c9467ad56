#!/usr/bin/env bash
# rg-other, the second sample product (images/other/), is
# gated through its catalogue contract only: ready from its daemon's own console line,
# installed with dpkg by rg-other-install, versions from dpkg-query, its .deb checked by
# validate-deb.sh before any boot. The good update passes; the bad one (a module that
# dereferences NULL when the daemon loads its rules) blocks; a validly signed package whose
# .deb says another version is refused by the validator without a boot.
. "$(dirname "$0")/lib.sh"

if [ ! -f "$root/images/build/other/disk.qcow2" ]; then
    [ "${CI:-}" != true ] || { echo "FAIL: images/build/other is not built (CI=true)"; exit 1; }
    echo "SKIPPED: images/build/other is not built (images/build.sh other)"
    exit 0
fi

run_gate "$scen/other-good.yaml"
check "good: exit 0 (pass)" [ "$rc" -eq 0 ]
check "good: report verdict pass" [ "$(jq_report .verdict)" = pass ]
check "good: the cell ran the other image" [ "$(jq_report '.cells[0].image')" = other ]
check "good: no blocking finding" [ "$(jq_report '[.cells[].findings[] | select(.action=="block")] | length')" -eq 0 ]
check "good: baseline, candidate and one reboot, all ready" \
    [ "$(jq_report '[.cells[0].boots[] | select(.outcome == "ready")] | length')" -eq 3 ]
installed() {
    jq -e '.cells[0].events[] | select(.type == "applied" and (.detail | test("installed rg-other 1.1.0")))' \
        "$run/report.json" >/dev/null
}
check "good: dpkg installed rg-other 1.1.0 in the guest" installed
log=$run/$(jq_report '.cells[0].console_log')
check "good: the daemon's own ready line, once per boot" [ "$(grep -c 'rg-other\[[0-9]*\]: started version=' "$log")" -eq 3 ]
check "good: the reboot runs 1.1.0" grep -q 'started version=1.1.0 rules=7' "$log"
check "good: no RINGGATE-READY line (not the sensor's contract)" bash -c "! grep -q RINGGATE-READY '$log'"

run_gate "$scen/other-bad.yaml"
check "bad: exit 1 (block)" [ "$rc" -eq 1 ]
check "bad: report verdict block" [ "$(jq_report .verdict)" = block ]
check "bad: a blocking crash or boot-loop finding" \
    jq -e '[.cells[0].findings[] | select((.class=="boot-loop" or .class=="crash") and .action=="block")] | length >= 1' "$run/report.json"
check "bad: the crash is in rg_other_add" \
    jq -e '[.cells[0].findings[] | select(.class=="crash")][0].title | test("rg_other_add")' "$run/report.json"

# A validly signed package whose .deb is not the manifest's version: the validator refuses
# it on the host, before any boot.
mk=$work/mismatch
mkdir -p "$mk/r" "$mk/src/files"
dpkg-deb -R "$root/images/build/other-pkg/1.1.0/rg-other_1.1.0_amd64.deb" "$mk/r"
sed -i 's/^Version: .*/Version: 1.2.0/' "$mk/r/DEBIAN/control"
dpkg-deb --root-owner-group --build "$mk/r" "$mk/src/files/rg-other_1.2.0_amd64.deb" >/dev/null
echo '{"name": "other-agent-1.1.0-mismatch", "kind": "driver", "version": "1.1.0", "target": {"kernel": "'"$(cat "$root/images/build/other/kernel-version")"'"}}' \
    >"$mk/src/package.json"
"$RINGGATE" package build "$mk/src" --key "$root/images/build/keys/vendor.pem" -o "$mk/mismatch.rgpkg" >/dev/null
run_gate "$scen/other-good.yaml" --update "$mk/mismatch.rgpkg"
check "mismatch: exit 1 (block)" [ "$rc" -eq 1 ]
check "mismatch: the validator's finding names the version" \
    jq -e '.scenarios[0].validator.errors | map(test("Version 1.2.0 is not the package")) | any' "$run/report.json"
check "mismatch: no boot" [ "$(jq_report '[.cells[]?.boots[]?] | length')" -eq 0 ]
finish

#!/usr/bin/env bash
# A clean content update passes: every boot reaches ready, the update is active, no finding;
# the gate signs its verdict and `ringgate attest verify` accepts exactly those bytes.
. "$(dirname "$0")/lib.sh"

openssl genpkey -algorithm ed25519 -out "$work/gate.pem" 2>/dev/null
openssl pkey -in "$work/gate.pem" -pubout -out "$work/gate.pub"
run_gate "$scen/content.yaml" --update "$updates/sensor-content-0292-good.rgpkg" --attest "$work/gate.pem"
check "exit 0 (pass)" [ "$rc" -eq 0 ]
check "report verdict pass" [ "$(jq_report .verdict)" = pass ]
check "schema ringgate.report/v1" [ "$(jq_report .schema)" = ringgate.report/v1 ]
check "update recorded with its sha256" \
    [ "$(jq_report .update.sha256)" = "$(sha256sum "$updates/sensor-content-0292-good.rgpkg" | cut -c1-64)" ]
check "no blocking finding" [ "$(jq_report '[.cells[].findings[] | select(.action=="block")] | length')" -eq 0 ]
check "baseline, candidate and one reboot" [ "$(jq_report '.cells[0].boots | length')" -eq 3 ]
check "the reboot runs the new content" [ "$(jq_report '.cells[0].boots[2].ready.content')" = 0292 ]
check "console log kept" grep -q RINGGATE-READY "$run/$(jq_report '.cells[0].console_log')"
check "junit.xml valid against the Ant JUnit schema" junit_valid
check "accelerator recorded" [ "$(jq_report .host.accelerator)" = tcg ]
check "index.html written" grep -q 'id="matrix"' "$run/index.html"

att=$run/attestation.json
check "attestation written" [ -s "$att" ]
"$RINGGATE" attest verify "$att" --key "$work/gate.pub" --package "$updates/sensor-content-0292-good.rgpkg" >"$work/v.out" 2>&1
check "attest verify accepts the run's package (exit 0)" [ $? -eq 0 ]
check "  and names the run" grep -q "$(jq_report .run_id)" "$work/v.out"
"$RINGGATE" attest verify "$att" --key "$work/gate.pub" --package "$updates/sensor-content-0290.rgpkg" >"$work/v.out" 2>&1
check "attest verify refuses a different package (exit 2)" [ $? -eq 2 ]
check "  saying it is not the subject" grep -q "not the subject" "$work/v.out"
"$RINGGATE" attest verify "$att" --key "$root/images/build/keys/foreign.pub" --package "$updates/sensor-content-0292-good.rgpkg" >"$work/v.out" 2>&1
check "attest verify refuses a foreign key (exit 2)" [ $? -eq 2 ]
check "  with a bad-signature message" grep -q "bad signature" "$work/v.out"
jq --arg p "$(jq -r .payload "$att" | base64 -d | sed 's/"PASSED"/"FAILED"/' | base64 -w0)" '.payload = $p' "$att" >"$work/changed.json"
"$RINGGATE" attest verify "$work/changed.json" --key "$work/gate.pub" --package "$updates/sensor-content-0292-good.rgpkg" >"$work/v.out" 2>&1
check "attest verify refuses a changed verdict (exit 2)" [ $? -eq 2 ]
"$RINGGATE" run -o "$out" --attest "$work/missing.pem" "$scen/content.yaml" >"$work/v.out" 2>&1
check "an unreadable attestation key is refused before any boot (exit 2)" [ $? -eq 2 ]
check "  naming the key file" grep -q "missing.pem" "$work/v.out"
finish

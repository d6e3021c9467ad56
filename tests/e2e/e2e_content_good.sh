#!/usr/bin/env bash
# A clean content update passes: every boot reaches ready, the update is active, no finding.
. "$(dirname "$0")/lib.sh"

run_gate "$scen/content.yaml" --update "$updates/sensor-content-0292-good.rgpkg"
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
finish

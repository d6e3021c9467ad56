#!/usr/bin/env bash
# Inputs the gate refuses before any VM boots (exit 2), and a missing image (exit 3).
. "$(dirname "$0")/lib.sh"

cp "$updates/sensor-content-0292-good.rgpkg" "$work/tampered.rgpkg"
# Flip one byte of the channel file's payload (the third tar member's data).
off=$(grep -abo 'RGCHANNEL' "$work/tampered.rgpkg" | head -n 1 | cut -d: -f1)
printf 'X' | dd of="$work/tampered.rgpkg" bs=1 seek=$((off + 2)) conv=notrunc status=none
run_gate "$scen/content.yaml" --update "$work/tampered.rgpkg"
check "tampered package: exit 2" [ "$rc" -eq 2 ]
check "tampered package: says which file" grep -q "does not match its sha256" "$work/run.out"
check "tampered package: no report folder" [ -z "$(ls -A "$out" 2>/dev/null)" ]

"$RINGGATE" package build "$updates/src/sensor-content-0290" --key "$root/images/build/keys/vendor.pem" \
    -o "$work/old.rgpkg" >/dev/null
cat >"$work/downgrade.yaml" <<EOT
name: downgrade
update: {package: $work/old.rgpkg}
baseline: {package: $updates/sensor-content-0292-good.rgpkg}
trust: {keys: [$root/images/build/keys/vendor.pub]}
images: $root/images/catalog.json
matrix: {image: tiny}
EOT
run_gate "$work/downgrade.yaml"
check "downgrade: exit 2" [ "$rc" -eq 2 ]
check "downgrade: says so" grep -q "downgrade refused" "$work/run.out"

scenario() { # file update baseline key catalog
    cat >"$1" <<EOT
name: refusals
update: {package: $2}
baseline: {package: $3}
trust: {keys: [$4]}
images: $5
matrix: {image: tiny}
boot: {timeout_s: 45, reboots: 1, soak_s: 1}
EOT
}
keys=$root/images/build/keys

scenario "$work/foreign.yaml" "$updates/sensor-content-0292-good.rgpkg" \
    "$updates/sensor-content-0290.rgpkg" "$keys/foreign.pub" "$root/images/catalog.json"
run_gate "$work/foreign.yaml"
check "foreign key: exit 2" [ "$rc" -eq 2 ]
check "foreign key: bad signature" grep -q "bad signature" "$work/run.out"

mkdir -p "$work/images"
sed 's|"build/tiny/disk.qcow2"|"build/tiny/missing.qcow2"|' "$root/images/catalog.json" >"$work/images/catalog.json"
scenario "$work/missing.yaml" "$updates/sensor-content-0292-good.rgpkg" \
    "$updates/sensor-content-0290.rgpkg" "$keys/vendor.pub" "$work/images/catalog.json"
run_gate "$work/missing.yaml"
check "missing image: exit 3" [ "$rc" -eq 3 ]
check "missing image: inconclusive with an infra finding" \
    jq -e '.verdict == "inconclusive" and (.cells[0].findings[0].class == "infra")' "$run/report.json"
finish

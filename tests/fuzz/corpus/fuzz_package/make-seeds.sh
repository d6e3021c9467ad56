#!/usr/bin/env bash
# Writes seed packages (ustar archives shaped like .rgpkg files) into $1: generated, so that
# no binary is committed. Their signatures are not valid; the reader checks structure only.
set -euo pipefail
out=$1 tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/files/channels"
printf 'RGCHANNEL 1\nchannel 291\nversion 0292\ninputs 20\nrule 1 match 1 x\n' >"$tmp/files/channels/291.rgc"
sha=$(sha256sum "$tmp/files/channels/291.rgc" | cut -c1-64)
size=$(stat -c %s "$tmp/files/channels/291.rgc")
printf '{\n  "files": [\n    {\n      "mode": "0644",\n      "path": "files/channels/291.rgc",\n      "sha256": "%s",\n      "size": %s\n    }\n  ],\n  "format": "ringgate.pkg/v1",\n  "kind": "content",\n  "name": "seed",\n  "version": "0292"\n}' "$sha" "$size" >"$tmp/manifest.json"
head -c 64 /dev/zero >"$tmp/manifest.sig"
(cd "$tmp" && tar --format=ustar -cf "$out/seed-good.rgpkg" manifest.json manifest.sig files/channels/291.rgc)
(cd "$tmp" && tar --format=ustar -cf "$out/seed-nosig.rgpkg" manifest.json files/channels/291.rgc)

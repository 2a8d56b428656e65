#!/usr/bin/env bash
# Vendors deck.gl's browser bundles for the map canvas from the npm registry (never a CDN).
# Pinned versions; the licence and checksums are written beside the files.
set -euo pipefail
DECK_VERSION=9.4.0
cd "$(dirname "$0")/.."
dest=dashboard/frontend/vendor
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "deck.gl@$DECK_VERSION" "@deck.gl/json@$DECK_VERSION" >/dev/null)
mkdir -p "$work/core" "$work/json" "$dest"
tar xzf "$work/deck.gl-$DECK_VERSION.tgz" -C "$work/core"
tar xzf "$work/deck.gl-json-$DECK_VERSION.tgz" -C "$work/json"
cp "$work/core/package/dist.min.js" "$dest/deckgl.min.js"
cp "$work/json/package/dist.min.js" "$dest/deckgl-json.min.js"
cp "$work/core/package/LICENSE" "$dest/LICENSE-deck.gl.txt"
cmp -s "$work/core/package/LICENSE" "$work/json/package/LICENSE" || cp "$work/json/package/LICENSE" "$dest/LICENSE-deck.gl-json.txt"
(cd "$dest" && sha256sum deckgl.min.js deckgl-json.min.js > SHA256SUMS)
echo "vendored deck.gl $DECK_VERSION into $dest"

#!/usr/bin/env bash
# Packs what gpu/run-device.sh needs on a GPU machine into .tmp/gpu/ at the repository root (ignored
# by git; pass it along, e.g. as a carried folder): the encoder bundle, the SGF folder as tar.xz, and a
# compressed node binary for machines without node 20+ (about 24 MB; NODE_XZ=0 leaves it out).
#
#   bash apps/go-policy/gpu/prepare.sh [sgf-folder]      # default ../shared/datasets/go/fox-pro
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
DATA=${1:-${CNN_LAB_DATA:-$ROOT/../shared/datasets}/go/fox-pro}
[ -d "$DATA" ] || { echo "error: no SGF folder at $DATA (pass one as the first argument)" >&2; exit 1; }
DATA=$(cd "$DATA" && pwd)
DEST=$ROOT/.tmp/gpu
mkdir -p "$DEST"
(cd "$ROOT/apps/go-policy" && npx tsx gpu/bundle.ts --out "$DEST/encode.mjs")
# The archive's top folder is named fox-pro whatever the source is called: run-device.sh reads fox-pro/.
tar -cJf "$DEST/fox-pro.tar.xz" -C "$(dirname "$DATA")" --transform "s,^$(basename "$DATA"),fox-pro," "$(basename "$DATA")"
if [ "${NODE_XZ:-1}" = 1 ] && [ ! -f "$DEST/node.xz" ]; then
  xz -T0 -6 -c "$(command -v node)" >"$DEST/node.xz"
fi
ls -l "$DEST"

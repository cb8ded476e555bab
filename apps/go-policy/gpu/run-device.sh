#!/usr/bin/env bash
# The whole GPU path in one command, for a bare CUDA machine with python3 + PyTorch: unpack the SGFs,
# encode them with the app's own encoder (bundled, on every core), train for what is left of a
# deadline, score the test split, and leave weights + logs in $OUT. Run from the repository root:
#
#   OUT=runs/gpu bash apps/go-policy/gpu/run-device.sh [deadline-seconds]        # default 520
#
# It expects in .tmp/gpu/ (see gpu/prepare.sh): encode.mjs (gpu/bundle.ts), fox-pro.tar.xz (the SGF
# folder), and node.xz (a node binary, used only when the machine has no node 20 or later).
# Then, in apps/go-policy: npx tsx gpu/export.ts --from $OUT --model-dir <model folder> --results $OUT/results.json
# ENCODE_FLAGS and TRAIN_FLAGS pass more flags to gpu/encode.ts and gpu/train.py (a dry run on a CPU:
# ENCODE_FLAGS="--max-games 40" TRAIN_FLAGS="--device cpu --filters 8 --layers 4 --batch-size 64").
set -euo pipefail
DEADLINE=${1:-520}
# Seconds kept after training: loading the weights back, scoring validation and test, writing files.
RESERVE=${RESERVE:-45}
OUT=${OUT:?set OUT to the folder for the results}
SRC=${SRC:-.tmp/gpu}
WORK=${WORK:-/tmp/go-policy-gpu}
mkdir -p "$OUT" "$WORK"
START=$(date +%s)
say() { echo "[$(($(date +%s) - START)) s] $*"; }

for f in encode.mjs fox-pro.tar.xz; do
  [ -f "$SRC/$f" ] || { echo "error: $SRC/$f is missing (run apps/go-policy/gpu/prepare.sh first)" >&2; exit 1; }
done
say "machine: $(nproc) cores; $(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null || echo 'no nvidia-smi')"
python3 -c 'import torch, numpy; print("python", __import__("sys").version.split()[0], "torch", torch.__version__, "cuda", torch.cuda.is_available(), "numpy", numpy.__version__)'

NODE=node
if ! command -v node >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  [ -f "$SRC/node.xz" ] || { echo "error: no node 20+ here and no $SRC/node.xz" >&2; exit 1; }
  python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' "$SRC/node.xz" "$WORK/node"
  chmod +x "$WORK/node"
  NODE=$WORK/node
fi
say "node $($NODE -v) ($NODE)"

rm -rf "$WORK/data" "$WORK/encoded"
mkdir -p "$WORK/data"
python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$SRC/fox-pro.tar.xz" "$WORK/data"
say "unpacked $(find "$WORK/data" -name '*.sgf' | wc -l) SGF files"

$NODE "$SRC/encode.mjs" --data-dir "$WORK/data/fox-pro" --out "$WORK/encoded" --workers "$(nproc)" ${ENCODE_FLAGS:-} 2>&1 |
  tee "$OUT/encode.log"
cp "$WORK/encoded/manifest.json" "$OUT/manifest.json"

BUDGET=$((DEADLINE - ($(date +%s) - START) - RESERVE))
[ "$BUDGET" -ge 30 ] || { echo "error: only $BUDGET s left for training" >&2; exit 1; }
say "training for $BUDGET s"
PYTHONUNBUFFERED=1 python3 apps/go-policy/gpu/train.py --data "$WORK/encoded" --out "$OUT" --budget-seconds "$BUDGET" \
  ${TRAIN_FLAGS:-} 2>&1 | tee "$OUT/train.log"
say "done"

#!/bin/sh
# Trains the shipped default model (models/default): an ensemble of four `freq` nets, 12 epochs x 64 each, one
# gradient worker, that differ only in how a word is cut and timed: trimmed at 20 or 15 dB below its loudest
# frame, stretched over the input or left at its own length. All clip at 40 dB and train with the masks and
# random EQ. Besides FSDD's recordings each trains on the digits spoken by 27 synthetic voices (Debian's
# text-to-speech, written by scripts/synth-voices.sh into a temporary folder unless SYNTH names one made before;
# SYNTH=none trains on FSDD alone). See README (Results, "Ensembles of feature variants", "Synthetic voices").
#   sh scripts/train-default.sh [OUT]        SPLIT=speaker:nicolas SEED=2 SYNTH=runs/synth sh scripts/train-default.sh runs/x
set -e
synth=${SYNTH:-}
case $synth in /* | none | '') ;; *) synth="$PWD/$synth" ;; esac
out=${1:-}
case $out in /* | '') ;; *) out="$PWD/$out" ;; esac
cd "$(dirname "$0")/.."
out=${out:-$PWD/models/default}
split=${SPLIT:-fsdd}
seed=${SEED:-1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/speech-default.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -z "$synth" ]; then
  synth="$tmp/synth"
  sh scripts/synth-voices.sh "$synth" 6
fi
extra="--extra-train $synth"
[ "$synth" = none ] && extra=""
common="--model freq --split $split --epochs 12 --batch-size 64 --workers 1 --seed $seed --freq-mask 6 --time-mask 10 --range-db 40 --eq 6 $extra ${EXTRA:-}"
cli="pnpm exec tsx src/cli.ts"
$cli train $common --trim-db 20 --stretch --model-dir "$tmp/trim20-stretch"
$cli train $common --trim-db 15 --stretch --model-dir "$tmp/trim15-stretch"
$cli train $common --trim-db 20 --model-dir "$tmp/trim20"
$cli train $common --trim-db 15 --model-dir "$tmp/trim15"
$cli ensemble "$tmp/trim20-stretch" "$tmp/trim15-stretch" "$tmp/trim20" "$tmp/trim15" --model-dir "$out"

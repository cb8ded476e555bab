#!/bin/sh
# Trains the shipped default model: an ensemble of four `freq` nets, 12 epochs x 64 each, one gradient worker,
# that differ only in how a word is cut and timed: trimmed at 20 or 15 dB below its loudest frame, stretched over
# the input or left at its own length. All clip at 40 dB and train with the masks and random EQ; two members
# train at a time (JOBS=1 for one). Besides FSDD's recordings each trains on the digits spoken by 27 synthetic
# voices (Debian's text-to-speech, written by scripts/synth-voices.sh into a temporary folder unless SYNTH names
# one made before; SYNTH=none trains on FSDD alone). An eleventh class, _unknown_, learns what is not a digit from
# 60 other words in 14 voices (scripts/synth-words.sh) and 250 noises (scripts/make-noise.ts), made into a
# temporary folder unless UNKNOWN names one made before (UNKNOWN=none: ten classes, as before). The ensemble goes to
# OUT, by default a new folder runs/speech-cnn/default-<time> in the repository (models/default only when named).
#   sh scripts/train-default.sh [OUT]
#   SPLIT=speaker:nicolas SEED=2 SYNTH=runs/synth UNKNOWN=runs/unknown sh scripts/train-default.sh runs/x
set -e
synth=${SYNTH:-}
case $synth in /* | none | '') ;; *) synth="$PWD/$synth" ;; esac
unknown=${UNKNOWN:-}
case $unknown in /* | none | '') ;; *) unknown="$PWD/$unknown" ;; esac
out=${1:-}
case $out in /* | '') ;; *) out="$PWD/$out" ;; esac
cd "$(dirname "$0")/.."
out=${out:-$(cd ../.. && pwd)/runs/speech-cnn/default-$(date -u +%Y-%m-%dT%H-%M-%S)}
split=${SPLIT:-fsdd}
seed=${SEED:-1}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/speech-default.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -z "$synth" ]; then
  synth="$tmp/synth"
  sh scripts/synth-voices.sh "$synth" 6
fi
if [ -z "$unknown" ]; then
  unknown="$tmp/unknown"
  sh scripts/synth-words.sh "$unknown/words" train
  pnpm exec tsx scripts/make-noise.ts "$unknown" train
fi
extra="--extra-train $synth"
[ "$synth" = none ] && extra=""
[ "$unknown" = none ] || extra="$extra --unknown $unknown"
common="--model freq --split $split --epochs 12 --batch-size 64 --workers 1 --seed $seed --freq-mask 6 --time-mask 10 --range-db 40 --eq 6 $extra ${EXTRA:-}"
cli="pnpm exec tsx src/cli.ts"
jobs=${JOBS:-2}
case $jobs in 1 | 2 | 3 | 4) ;; *) echo "train-default: JOBS must be 1 to 4, got '$jobs'" >&2; exit 2 ;; esac

# The members are independent: JOBS of them train at once, a core each (one gradient worker per member, which on
# this small net costs less CPU than two), each logging to its own file.
member() {
  name=$1
  shift
  # shellcheck disable=SC2086 # $common is a list of flags
  if $cli train $common "$@" --model-dir "$tmp/$name" > "$tmp/$name.log" 2>&1; then
    echo "train-default: $name: $(grep -o 'test accuracy [^;]*; trained in [0-9]* s' "$tmp/$name.log" | tail -1)"
  else
    echo "train-default: $name failed; the end of its log:" >&2
    tail -20 "$tmp/$name.log" >&2
    return 1
  fi
}
pids=""
n=0
failed=0
for spec in "trim20-stretch --trim-db 20 --stretch" "trim15-stretch --trim-db 15 --stretch" "trim20 --trim-db 20" "trim15 --trim-db 15"; do
  # shellcheck disable=SC2086 # the spec is a name and its flags
  member $spec &
  pids="$pids $!"
  n=$((n + 1))
  if [ $((n % jobs)) -eq 0 ]; then
    for p in $pids; do wait "$p" || failed=1; done
    pids=""
  fi
done
for p in $pids; do wait "$p" || failed=1; done
[ "$failed" = 0 ] || exit 1
$cli ensemble "$tmp/trim20-stretch" "$tmp/trim15-stretch" "$tmp/trim20" "$tmp/trim15" --model-dir "$out"

#!/bin/sh
# Synthetic speakers for training: the ten digit words spoken by Debian's text-to-speech voices
# (espeak-ng accents x voice variants, flite's and festival's voices), several takes each at other
# pitches and speaking rates, named like FSDD ({digit}_{voice}_{take}.wav) so `train --extra-train`
# reads them as more speakers. FSDD has five speakers; a held-out one is only as well covered as the
# other four voices cover it, and these add ones that cost nothing to make.
#
#   sh scripts/synth-voices.sh <out-dir> [takes per word, default 6]
#
# Needs: apt-get install sox espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
# Pitches and rates come from the voice and take numbers, so the same command writes the same files.
set -eu
out=${1:?usage: sh scripts/synth-voices.sh <out-dir> [takes per word]}
takes=${2:-6}
case $takes in '' | *[!0-9]*) echo "synth-voices: takes must be a whole number, got '$takes'" >&2; exit 2 ;; esac
for tool in espeak-ng flite festival sox; do
  command -v "$tool" >/dev/null || { echo "synth-voices: $tool is missing (apt-get install sox espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts)" >&2; exit 1; }
done
mkdir -p "$out"
words="zero one two three four five six seven eight nine"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Peak at -3 dBFS and FSDD's 8 kHz (sox's resampler: training would otherwise resample every file at every load), written to a
# temporary name and renamed, so an interrupted run leaves no half-written WAV behind.
place() { sox -V1 -R "$tmp/x.wav" -b 16 -c 1 "$tmp/y.wav" gain -n -3 rate 8000 && mv "$tmp/y.wav" "$out/$1"; }

# Calls "$1 DIGIT WORD TAKE" for every word and take of the voice in hand.
each_take() {
  d=0
  for word in $words; do
    t=0
    while [ "$t" -lt "$takes" ]; do
      "$1" "$d" "$word" "$t"
      t=$((t + 1))
    done
    d=$((d + 1))
  done
}

# flite's and festival's duration stretch (0.8-1.29) for DIGIT TAKE of voice number v.
stretch_of() { awk "BEGIN{print (80 + ($2 * 17 + $v * 11 + $1 * 5) % 50) / 100}"; }

# espeak-ng: accent x variant; the variants change formants, breathiness and pitch range.
espeak_take() {
  espeak-ng -v "$voice" -p $((25 + ($3 * 13 + v * 7 + $1 * 3) % 50)) -s $((120 + ($3 * 17 + v * 11 + $1 * 5) % 80)) -w "$tmp/x.wav" "$2"
  place "$1_${name}_$3.wav"
}
v=0
for voice in en-us+m1 en-us+f2 en-us+m4 en-us+f4 en-gb+m2 en-gb+f1 en-gb+m7 en-gb-scotland+m3 en-gb-scotland+f3 \
  en-gb-x-rp+m5 en-gb-x-rp+f5 en-029+m6 en-029+f2 en-gb-x-gbclan+m2 en-gb-x-gbclan+f4 en-gb-x-gbcwmd+m3 \
  en-gb-x-gbcwmd+f1 en-us+klatt en-gb+klatt2 en-us+m7; do
  v=$((v + 1))
  name=$(echo "es$voice" | tr -d '+-')
  each_take espeak_take
done

# flite: CMU's voices; duration_stretch changes the rate, int_f0_target_mean the pitch.
flite_take() {
  stretch=$(stretch_of "$1" "$3")
  case $voice in slt) f0=$((150 + ($3 * 13 + $1 * 7) % 80)) ;; *) f0=$((85 + ($3 * 13 + $1 * 7) % 60)) ;; esac
  flite -voice "$voice" -t "$2" -o "$tmp/x.wav" --setf duration_stretch="$stretch" --setf int_f0_target_mean="$f0"
  place "$1_${name}_$3.wav"
}
for voice in kal awb rms slt; do
  v=$((v + 1))
  name=fl$voice
  each_take flite_take
done

# festival: two diphone voices and an HTS one; Duration_Stretch changes the rate. One festival process per voice
# says every word and take (starting festival costs half a second, more than a word does).
festival_line() {
  stretch=$(stretch_of "$1" "$3")
  echo "(Parameter.set 'Duration_Stretch $stretch) (utt.save.wave (SynthText \"$2\") \"$tmp/fe_$1_$3.wav\" 'riff)" >> "$tmp/say.scm"
}
festival_take() {
  mv "$tmp/fe_$1_$3.wav" "$tmp/x.wav"
  place "$1_${name}_$3.wav"
}
for voice in kal_diphone ked_diphone cmu_us_slt_arctic_hts; do
  v=$((v + 1))
  name=fe$(echo "$voice" | cut -d_ -f1-3 | tr -d '_')
  echo "(voice_$voice)" > "$tmp/say.scm"
  each_take festival_line
  festival -b "$tmp/say.scm"
  each_take festival_take
done
echo "synth-voices: $(find "$out" -maxdepth 1 -type f | wc -l) files in $out ($v voices x 10 words x $takes takes)"

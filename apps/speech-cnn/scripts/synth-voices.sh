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

# espeak-ng: accent x variant; the variants change formants, breathiness and pitch range.
v=0
for voice in en-us+m1 en-us+f2 en-us+m4 en-us+f4 en-gb+m2 en-gb+f1 en-gb+m7 en-gb-scotland+m3 en-gb-scotland+f3 \
  en-gb-x-rp+m5 en-gb-x-rp+f5 en-029+m6 en-029+f2 en-gb-x-gbclan+m2 en-gb-x-gbclan+f4 en-gb-x-gbcwmd+m3 \
  en-gb-x-gbcwmd+f1 en-us+klatt en-gb+klatt2 en-us+m7; do
  v=$((v + 1))
  name=$(echo "es$voice" | tr -d '+-')
  d=0
  for word in $words; do
    t=0
    while [ "$t" -lt "$takes" ]; do
      pitch=$((25 + (t * 13 + v * 7 + d * 3) % 50))
      rate=$((120 + (t * 17 + v * 11 + d * 5) % 80))
      espeak-ng -v "$voice" -p "$pitch" -s "$rate" -w "$tmp/x.wav" "$word"
      place "${d}_${name}_${t}.wav"
      t=$((t + 1))
    done
    d=$((d + 1))
  done
done

# flite: CMU's voices; duration_stretch changes the rate, int_f0_target_mean the pitch.
for voice in kal awb rms slt; do
  v=$((v + 1))
  d=0
  for word in $words; do
    t=0
    while [ "$t" -lt "$takes" ]; do
      stretch=$((80 + (t * 17 + v * 11 + d * 5) % 50))
      case $voice in slt) f0=$((150 + (t * 13 + d * 7) % 80)) ;; *) f0=$((85 + (t * 13 + d * 7) % 60)) ;; esac
      flite -voice "$voice" -t "$word" -o "$tmp/x.wav" --setf duration_stretch="$(awk "BEGIN{print $stretch/100}")" --setf int_f0_target_mean="$f0"
      place "${d}_fl${voice}_${t}.wav"
      t=$((t + 1))
    done
    d=$((d + 1))
  done
done

# festival: two diphone voices and an HTS one; Duration_Stretch changes the rate. One festival process per voice
# says every word and take (starting festival costs half a second, more than a word does).
for voice in kal_diphone ked_diphone cmu_us_slt_arctic_hts; do
  v=$((v + 1))
  name=fe$(echo "$voice" | cut -d_ -f1-3 | tr -d '_')
  echo "(voice_$voice)" > "$tmp/say.scm"
  d=0
  for word in $words; do
    t=0
    while [ "$t" -lt "$takes" ]; do
      stretch=$(awk "BEGIN{print (80 + ($t * 17 + $v * 11 + $d * 5) % 50) / 100}")
      echo "(Parameter.set 'Duration_Stretch $stretch) (utt.save.wave (SynthText \"$word\") \"$tmp/fe_${d}_${t}.wav\" 'riff)" >> "$tmp/say.scm"
      t=$((t + 1))
    done
    d=$((d + 1))
  done
  festival -b "$tmp/say.scm"
  d=0
  while [ "$d" -lt 10 ]; do
    t=0
    while [ "$t" -lt "$takes" ]; do
      mv "$tmp/fe_${d}_${t}.wav" "$tmp/x.wav"
      place "${d}_${name}_${t}.wav"
      t=$((t + 1))
    done
    d=$((d + 1))
  done
done
echo "synth-voices: $(ls "$out" | wc -l) files in $out ($v voices x 10 words x $takes takes)"

#!/bin/sh
# Words that are not digits, spoken by Debian's text-to-speech voices: what the model's "unknown" class learns
# from (train), what its threshold is chosen on (val) and what its rejection is measured on (test). The three sets
# share no word and no voice, and the test voices are ones no training set here uses at all (not synth-voices.sh's
# either), so a test word is an unheard word in an unheard voice. Homophones of digits (won, to, too, for, ate...) are left out: they are digits
# to the ear. Files are named {word}_{voice}_0.wav at 8 kHz, peak -3 dBFS.
#
#   sh scripts/synth-words.sh <out-dir> train|val|val-digits|test
#
# Needs: apt-get install sox espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts
# Pitches and rates come from the word and voice numbers, so the same command writes the same files.
set -eu
out=${1:?usage: sh scripts/synth-words.sh <out-dir> train|val|val-digits|test}
part=${2:?usage: sh scripts/synth-words.sh <out-dir> train|val|val-digits|test}
for tool in espeak-ng flite festival sox; do
  command -v "$tool" >/dev/null || { echo "synth-words: $tool is missing (apt-get install sox espeak-ng flite festival festvox-kallpc16k festvox-kdlpc16k festvox-us-slt-hts)" >&2; exit 1; }
done
case $part in
  train)
    words="hello yes no stop go left right up down off cat dog bird house water happy green red blue yellow apple
      table window music morning night light book paper coffee bread river mountain garden money people world little
      great small baby friend school phone computer station car bus road city summer winter doctor question answer
      kitchen orange purple forward backward"
    espeak="en-us+m1 en-us+f2 en-gb+m2 en-gb+f1 en-gb-scotland+m3 en-gb-x-rp+f5 en-029+m6 en-gb-x-gbclan+f4 en-us+klatt en-gb+m7"
    flite="kal slt"
    festival="ked_diphone cmu_us_slt_arctic_hts"
    ;;
  test)
    words="please thank sorry maybe okay wow learn follow visual marvin sheila bed chair door flower letter picture
      rabbit sugar pencil jacket camera banana dinner garage island lemon monkey number planet rocket salad tiger
      tomato umbrella violin wallet zebra candle basket"
    espeak="en-us+m3 en-us+f3 en-gb+m6 en-gb+f5 en-gb-x-rp+m2 en-029+m1 en-us+Annie en-gb+Andy"
    flite="kal16"
    festival=""
    ;;
  val | val-digits)
    words="today tomorrow because about office winner kettle puzzle silver market engine butter dragon ladder pocket
      ribbon saddle timber velvet wizard anchor bottle cactus dolphin feather harbor igloo jungle lantern meadow"
    espeak="en-us+m5 en-gb+f3 en-gb-scotland+m1 en-029+f4 en-us+Edward en-gb+Steph"
    flite="rms"
    festival=""
    # The ten digits in the same voices: how often a digit in an unheard voice would be rejected.
    [ "$part" = val-digits ] && words="zero one two three four five six seven eight nine"
    ;;
  *) echo "synth-words: the part must be train, val, val-digits or test, got '$part'" >&2; exit 2 ;;
esac
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
place() { sox -V1 -R "$tmp/x.wav" -b 16 -c 1 "$tmp/y.wav" gain -n -3 rate 8000 && mv "$tmp/y.wav" "$out/$1"; }

v=0
for voice in $espeak; do
  v=$((v + 1))
  name=$(echo "es$voice" | tr -d '+-')
  w=0
  for word in $words; do
    w=$((w + 1))
    espeak-ng -v "$voice" -p $((25 + (w * 13 + v * 7) % 50)) -s $((120 + (w * 17 + v * 11) % 80)) -w "$tmp/x.wav" "$word"
    place "${word}_${name}_0.wav"
  done
done
for voice in $flite; do
  v=$((v + 1))
  w=0
  for word in $words; do
    w=$((w + 1))
    stretch=$(awk "BEGIN{print (80 + ($w * 17 + $v * 11) % 50) / 100}")
    case $voice in slt) f0=$((150 + (w * 13 + v * 7) % 80)) ;; *) f0=$((85 + (w * 13 + v * 7) % 60)) ;; esac
    flite -voice "$voice" -t "$word" -o "$tmp/x.wav" --setf duration_stretch="$stretch" --setf int_f0_target_mean="$f0"
    place "${word}_fl${voice}_0.wav"
  done
done
for voice in $festival; do
  v=$((v + 1))
  name=fe$(echo "$voice" | cut -d_ -f1-3 | tr -d '_')
  echo "(voice_$voice)" > "$tmp/say.scm"
  w=0
  for word in $words; do
    w=$((w + 1))
    stretch=$(awk "BEGIN{print (80 + ($w * 17 + $v * 11) % 50) / 100}")
    echo "(Parameter.set 'Duration_Stretch $stretch) (utt.save.wave (SynthText \"$word\") \"$tmp/fe_$w.wav\" 'riff)" >> "$tmp/say.scm"
  done
  festival -b "$tmp/say.scm"
  w=0
  for word in $words; do
    w=$((w + 1))
    mv "$tmp/fe_$w.wav" "$tmp/x.wav"
    place "${word}_${name}_0.wav"
  done
done
echo "synth-words: $(find "$out" -maxdepth 1 -type f | wc -l) files in $out ($part: $(echo $words | wc -w) words x $v voices)"

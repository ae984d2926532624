#!/bin/sh
# tools/names_words.sh — regenerate src/filter/names/word_names.txt: the given
# names (given_en.txt, given_world.txt) that Debian's wamerican dictionary
# lists as lower-case words, less KEEP (names first, words a distant second).
# Needs the wamerican package; the build does not (the result is committed).
set -eu
cd "$(dirname "$0")/../src/filter/names"
DICT=${DICT:-/usr/share/dict/american-english}
KEEP="aline amir ani barney basil beryl bobby bola brad carol chad clement colleen cooper
davit derrick dieter drew dung earl eddy emir ester hank harsh hector homer hung jarred
jasmine jimmy john josh kitty lei mads maria marina mart martin matt maxim mickey mike nick
noel patsy patty peter phoebe ploy rein rick roger saki sally shin sonny sue taro terry tom
tony troy victor waldo wale warren wen wren yaw"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sed 's/#.*//' given_en.txt given_world.txt | tr ' ' '\n' | grep . |
  LC_ALL=C tr 'A-Z' 'a-z' | LC_ALL=C sort -u >"$tmp/names"
grep -E '^[a-z]+$' "$DICT" | LC_ALL=C sort -u >"$tmp/words"
printf '%s\n' $KEEP | LC_ALL=C sort -u >"$tmp/keep"
{
  sed -n '1,/^# lower case/p' word_names.txt | grep '^#'
  LC_ALL=C comm -12 "$tmp/names" "$tmp/words" | LC_ALL=C comm -23 - "$tmp/keep"
} >"$tmp/out"
mv "$tmp/out" word_names.txt

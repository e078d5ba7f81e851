#!/usr/bin/env bash
# Makes the seed corpus in Fuzz/corpus/ from a throwaway store whose key FuzzTargets.swift embeds.
# Usage: Fuzz/make-corpus.sh LINEAGE-BINARY   (the
# script puts that key in the store, so bundles and checkpoints in the corpus verify).
set -euo pipefail
lineage=$(realpath "$1")
root=$(cd "$(dirname "$0")" && pwd)/corpus
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$lineage" init --origin fuzz.example/log >/dev/null
printf '%s\n' 'PRIVATE+KEY+fuzz.example/log+32481707+AY8iQ6WWzH3sZxp8C/KvIUomd+UVN/UKGvDc7ORapPRO' > .lineage/keys/signing.key
"$lineage" key show > .lineage/keys/trusted
echo 'a,b' > raw.csv
"$lineage" add dataset raw.csv --name raw --uri s3://bank/raw.csv >/dev/null
"$lineage" record transform --name clean --command "python clean.py" --input dataset:raw --param drop_na=true >/dev/null
mkdir -p clean && echo 'a' > clean/part-0.csv
"$lineage" add dataset clean --name train --from transform:clean >/dev/null
"$lineage" record run --name train --input dataset:train --param lr=0.1 --metric auc=0.93 --code-repo https://git.example/r.git --code-commit 4f2a9c1 --status succeeded >/dev/null
echo 'weights' > model.pkl
"$lineage" record model --name fraud --file model.pkl --run run:train --format pickle >/dev/null
"$lineage" record deployment --model model:fraud@1 --environment prod --endpoint https://api.example/fraud >/dev/null
"$lineage" checkpoint > old.txt
"$lineage" record prediction --id pred-1 --deployment deployment:fraud/prod --input-json '{"amount":999}' --output '{"label":"fraud","score":0.93}' --latency-ms 12.5 >/dev/null
mkdir -p "$root"/{json,scan,line,bundle,note,policy,time}
rm -f "$root"/*/*
i=0
git --git-dir .lineage log --reverse --format=%H refs/lineage/log/fuzz.example/log | while read -r c; do
  git --git-dir .lineage ls-tree --name-only "$c" | while read -r f; do
    git --git-dir .lineage cat-file blob "$c:$f" | while IFS= read -r record; do
      i=$((i + 1)); printf '%s' "$record" > "$root/scan/record-$c-$i"; printf '%s' "$record" > "$root/json/record-$c-$i"
    done
  done
done
printf '%s' '{"predictionId":"p-2","deployment":"sha256:0000000000000000000000000000000000000000000000000000000000000000","output":{"label":"ok","score":0.5}}' > "$root/line/canonical"
printf '%s' '{"kind":"prediction","predictionId":"p-3","deployment":"deployment:fraud/prod","input":{"amount":5},"output":{"label":"ok"},"time":"2026-11-01T09:00:00.5+02:00"}' > "$root/line/names-and-time"
printf '%s' '{"kind":"run","name":"r","inputs":["dataset:train"],"params":{"lr":0.1},"metrics":{"auc":0.9},"status":"succeeded"}' > "$root/line/run"
"$lineage" prove pred-1 > "$root/bundle/pred-1.json"
"$lineage" prove model:fraud@1 > "$root/bundle/model.json"
"$lineage" checkpoint > "$root/note/checkpoint"
"$lineage" checkpoint proof old.txt > "$root/note/consistency.json"
cp old.txt "$root/note/old-checkpoint"
printf '%s' '{"approvals":1,"metrics":["auc >= 0.9"],"maxAge":"90d","forbiddenLicenses":["GPL-3.0"]}' > "$root/policy/policy.json"
printf '%s' '{"signers":["fuzz.example/log+32481707+AY8iQ6WWzH3sZxp8C/KvIUomd+UVN/UKGvDc7ORapPRO"]}' > "$root/policy/signers.json"
for t in '2026-11-01T09:00:00Z' '2026-11-01t09:00:00.123456789+05:30' '2026-01-31T12:00:00.000Z' '90d' '12h' '2026-11-01' '9223372036854775807d'; do
  printf '%s' "$t" > "$root/time/$(printf '%s' "$t" | sha256sum | cut -c1-12)"
done
cp "$root/policy/"* "$root/json/"
echo "corpus written to $root"

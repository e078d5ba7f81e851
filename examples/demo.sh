#!/usr/bin/env bash
# The main job end to end: record raw data, a cleaning transform, a training run, the model it made,
# an approval, a deployment and predictions; then trace one prediction back to its source data.
#
#   make demo                        (builds, then runs this)
#   LINEAGE=path/to/lineage bash examples/demo.sh
set -euo pipefail

LINEAGE=${LINEAGE:-lineage}
if [[ "$LINEAGE" == */* ]]; then LINEAGE="$(cd "$(dirname "$LINEAGE")" && pwd)/$(basename "$LINEAGE")"; fi
DEMO_DIR=${DEMO_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/lineage-demo.XXXXXX")}
export LINEAGE_ACTOR=${LINEAGE_ACTOR:-demo@example.com}
unset LINEAGE_STORE
export LINEAGE_PAGER=cat   # a script: output is not paged, even on a terminal
cd "$DEMO_DIR"

if [ -t 1 ]; then BOLD=$'\033[1m'; PLAIN=$'\033[0m'; else BOLD=; PLAIN=; fi
step() { printf '\n%s$ lineage %s%s\n' "$BOLD" "$*" "$PLAIN"; "$LINEAGE" "$@"; }

echo "Working in $DEMO_DIR"

# Raw transactions, some with missing amounts.
mkdir -p data
cat > data/transactions.csv <<'CSV'
id,amount,country,fraud
1,12.50,DE,0
2,980.00,US,1
3,,FR,0
4,15.75,DE,0
5,1200.00,BR,1
6,22.10,,0
7,45.00,US,0
8,1500.00,NG,1
CSV

step init --origin demo.example/fraud
step add dataset data/transactions.csv --name transactions --uri file://"$DEMO_DIR"/data/transactions.csv --license internal

# A real cleaning step: drop rows with a missing field.
mkdir -p data/clean
awk -F, 'NR == 1 || ($2 != "" && $3 != "")' data/transactions.csv > data/clean/train.csv
step record transform --name drop-incomplete --command "awk -F, 'NR == 1 || (\$2 != \"\" && \$3 != \"\")'" \
  --input dataset:transactions --param rule=drop_rows_with_missing_fields
step add dataset data/clean --name train --from transform:drop-incomplete

# A real (tiny) training step: the amount threshold halfway between the classes' means.
threshold=$(awk -F, 'NR > 1 { if ($4 == 1) { f += $2; nf++ } else { l += $2; nl++ } } END { printf "%.2f", (f / nf + l / nl) / 2 }' data/clean/train.csv)
printf '{"type":"threshold","feature":"amount","threshold":%s}\n' "$threshold" > model.json
accuracy=$(awk -F, -v t="$threshold" 'NR > 1 { n++; if (($2 > t) == ($4 == 1)) ok++ } END { printf "%.3f", ok / n }' data/clean/train.csv)
step record run --name train-fraud --input dataset:train --param feature=amount --param rule=midpoint \
  --metric accuracy="$accuracy" --code-repo https://git.example/fraud.git --code-commit 4f2a9c1 --status succeeded
step record model --name fraud --file model.json --run run:train-fraud --format json

step record approval --model model:fraud@1 --approver risk-officer@example.com --purpose production \
  --reason "accuracy $accuracy on the training set"
step record deployment --model model:fraud@1 --environment prod --endpoint https://api.example/fraud

# Serve three predictions; the raw inputs go to the erasable payload store, not the log.
for row in "pred-8810,30.00,DE" "pred-8811,75.00,US" "pred-8812,990.00,BR"; do
  IFS=, read -r id amount country <<<"$row"
  label=$(awk -v a="$amount" -v t="$threshold" 'BEGIN { print (a > t) ? "fraud" : "legit" }')
  step record prediction --id "$id" --deployment deployment:fraud/prod \
    --input-json "{\"amount\":$amount,\"country\":\"$country\"}" --output "{\"label\":\"$label\"}" --latency-ms 3
done

step log -n 5

printf '\n%sCan an outsider check the log and one decision without trusting us?%s\n' "$BOLD" "$PLAIN"
step verify
"$LINEAGE" key show > fraud.pub
"$LINEAGE" prove pred-8812 > pred-8812-evidence.json
step verify-proof pred-8812-evidence.json --key fraud.pub

printf '\n%sWhere did prediction pred-8812 come from?%s\n' "$BOLD" "$PLAIN"
step trace pred-8812

#!/bin/sh
# The gate step of gate-model.yml as one script, so that it can be run (and tested) outside GitHub:
# clone the lineage store the training pipeline pushes to, pinned to its owner's key, verify every
# batch on the way in, then gate the model file against its lineage and the policy.
#
#   LINEAGE_REMOTE=git@example.com:ml/lineage.git LINEAGE_KEY_FINGERPRINT=SHA256:… \
#     examples/ci/gate.sh models/fraud.onnx .lineage-policy.yaml
set -eu
: "${LINEAGE_REMOTE:?set LINEAGE_REMOTE to the git URL the store pushes to (lineage push)}"
: "${LINEAGE_KEY_FINGERPRINT:?set LINEAGE_KEY_FINGERPRINT to the store key fingerprint (lineage key show --fingerprint)}"
model=${1:?usage: gate.sh MODEL [POLICY]}
policy=${2:-.lineage-policy.yaml}
copy=${LINEAGE_CI_DIRECTORY:-.lineage-ci}

rm -rf "$copy"
if ! lineage clone "$LINEAGE_REMOTE" "$copy" --key-fingerprint "$LINEAGE_KEY_FINGERPRINT" --quiet; then
  echo "::error title=lineage::cannot clone and verify the lineage store at $LINEAGE_REMOTE (see the log above)"
  exit 1
fi
LINEAGE_STORE="$copy/.lineage" lineage gate "$model" --policy "$policy" --github

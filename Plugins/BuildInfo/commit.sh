#!/bin/sh
# commit.sh SOURCE-DIR OUTPUT-FILE: writes the Swift file that names the commit SOURCE-DIR is at.
# The file is rewritten only when its text changes, so that an unchanged commit rebuilds nothing.
set -eu
source_dir=$1
output=$2
commit=${LINEAGE_COMMIT:-}
if [ -z "$commit" ]; then
    if commit=$(git -C "$source_dir" rev-parse --short=12 HEAD 2>/dev/null); then
        if ! git -C "$source_dir" diff --quiet HEAD -- 2>/dev/null; then commit="$commit-dirty"; fi
    else
        commit=unknown
    fi
fi
text="// Generated before each build by Plugins/BuildInfo: the commit these sources are at.
extension BuildInfo {
    static let generatedCommit = \"$commit\"
}"
mkdir -p "$(dirname "$output")"
if [ ! -f "$output" ] || [ "$(cat "$output")" != "$text" ]; then
    printf '%s\n' "$text" > "$output.tmp" && mv "$output.tmp" "$output"
fi

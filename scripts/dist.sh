#!/usr/bin/env bash
# dist.sh BIN-DIR GENERATE-MANUAL OUT-DIR: makes OUT-DIR/lineage-VERSION-linux-ARCH.tar.gz (the static
# binaries, man pages, completions, docs, README, LICENSE and a SHA256SUMS of them) and its checksum
# file beside it. Files carry the commit's time and no owner, so one commit gives one tarball.
set -euo pipefail
bin_dir=${1:?usage: dist.sh BIN-DIR GENERATE-MANUAL OUT-DIR}
generate_manual=${2:?usage: dist.sh BIN-DIR GENERATE-MANUAL OUT-DIR}
out=${3:?usage: dist.sh BIN-DIR GENERATE-MANUAL OUT-DIR}
cd "$(dirname "$0")/.."

version=$("$bin_dir/lineage" --version | cut -d' ' -f1)
name="lineage-$version-linux-$(uname -m)"
stage="$out/$name"
rm -rf "$stage" "$out/$name.tar.gz" "$out/$name.tar.gz.sha256"
mkdir -p "$stage"
scripts/install.sh "$bin_dir" "$stage" "$generate_manual" >/dev/null
cp -R README.md LICENSE docs "$stage/"
(cd "$stage" && find . -type f ! -name SHA256SUMS | LC_ALL=C sort | xargs sha256sum > SHA256SUMS)
mtime=$(git log -1 --format=%ct 2>/dev/null || date +%s)
tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$mtime" -C "$out" -cf - "$name" | gzip -n -9 > "$out/$name.tar.gz"
(cd "$out" && sha256sum "$name.tar.gz" > "$name.tar.gz.sha256")
rm -rf "$stage"
echo "$out/$name.tar.gz"

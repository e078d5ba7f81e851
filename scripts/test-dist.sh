#!/usr/bin/env bash
# test-dist.sh TARBALL: checks a `make dist` tarball as a user without Swift would meet it. Its
# checksums hold; the binaries are static; lineage runs with an empty environment and no Swift on
# the path, and (as root) records, traces, proves and verifies inside an empty root that holds
# nothing but the binary, so no library of this machine can be what makes it work; the man pages
# render and the bash completion loads.
set -euo pipefail
tarball=$(realpath "${1:?usage: test-dist.sh TARBALL}")
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'umount "$work/root/proc" 2>/dev/null || true; rm -rf --one-file-system "$work"' EXIT
fail() { echo "test-dist: FAILED: $*" >&2; exit 1; }

(cd "$(dirname "$tarball")" && sha256sum --quiet -c "$(basename "$tarball").sha256") || fail "the tarball's checksum does not match"
tar -xzf "$tarball" -C "$work"
dir=$(echo "$work"/lineage-*)
(cd "$dir" && sha256sum --quiet -c SHA256SUMS) || fail "SHA256SUMS does not match the files"
for file in bin/lineage bin/lineage-server LICENSE README.md docs/commands.md share/man/man1/lineage.1 \
            share/bash-completion/completions/lineage share/zsh/site-functions/_lineage share/fish/vendor_completions.d/lineage.fish; do
    [ -e "$dir/$file" ] || fail "$file is missing from the tarball"
done
for program in lineage lineage-server; do
    file "$dir/bin/$program" | grep -q "static-pie linked\|statically linked" || fail "bin/$program is not statically linked: $(file "$dir/bin/$program")"
done

version=$(env -i "$dir/bin/lineage" --version) || fail "lineage --version failed with an empty environment"
echo "$version" | grep -Eq '^[0-9]+\.[0-9]+\.[0-9]+ \(commit [0-9a-f]{12}(-dirty)?\)$' || fail "unexpected --version: $version"

root="$work/root"
mkdir -p "$root/bin" "$root/work" "$root/tmp" "$root/proc"
# The empty root has /proc, as every Linux system does (the Swift runtime reads /proc/self).
if [ "$(id -u)" = 0 ] && command -v chroot >/dev/null && mount -t proc proc "$root/proc" 2>/dev/null; then
    cp "$dir/bin/lineage" "$root/bin/"
    printf 'amount,label\n10,0\n999,1\n' > "$root/work/raw.csv"
    chroot=$(command -v chroot)
    run() { env -i LINEAGE_ACTOR=ci@example.com "$chroot" "$root" /bin/lineage "$@" 2>&1 || fail "lineage $* failed in an empty root"; }
    run init --origin example.com/dist --store /work/.lineage >/dev/null
    run add dataset /work/raw.csv --name raw --store /work/.lineage >/dev/null
    run record run --name train --input dataset:raw --param lr=0.1 --store /work/.lineage >/dev/null
    printf 'model bytes' > "$root/work/model.bin"
    run record model --name fraud --file /work/model.bin --run run:train --store /work/.lineage >/dev/null
    run record deployment --model model:fraud@1 --environment prod --store /work/.lineage >/dev/null
    run record prediction --id p-1 --deployment deployment:fraud/prod --input-json '{"amount":999}' --output '{"label":1}' --store /work/.lineage >/dev/null
    trace=$(run trace p-1 --store /work/.lineage)
    echo "$trace" | grep -q "dataset raw@1" || fail "the trace in an empty root does not reach the data: $trace"
    run prove p-1 --store /work/.lineage > "$root/work/p-1.json"
    run key show --store /work/.lineage > "$root/work/key.pub"
    run verify --store /work/.lineage >/dev/null
    run verify-proof /work/p-1.json --key /work/key.pub >/dev/null
    echo "test-dist: lineage recorded, traced, proved and verified in an empty root"
else
    echo "test-dist: not root (or cannot mount /proc): the empty-root run is skipped (the empty-environment run passed)"
fi

man -l "$dir/share/man/man1/lineage.record.run.1" 2>/dev/null | grep -q "EXAMPLES" || fail "the man page of record run does not render with its examples"
bash -c "source '$dir/share/bash-completion/completions/lineage' && complete -p lineage" >/dev/null || fail "the bash completion does not load"
# make install into a temporary prefix (the release build is already there), then make uninstall.
prefix="$work/prefix"
make -s install PREFIX="$prefix" >/dev/null || fail "make install PREFIX=$prefix failed"
MANWIDTH=200 man -l "$prefix/share/man/man1/lineage.gate.1" 2>/dev/null | grep -q "lineage gate model.pkl --policy policy.yaml" || fail "make install's man page for gate lacks its examples"
bash -c "source '$prefix/share/bash-completion/completions/lineage' && COMP_WORDS=(lineage ver) COMP_CWORD=1 && _lineage && echo \"\${COMPREPLY[*]}\"" | grep -q verify-proof \
    || fail "make install's bash completion does not complete 'lineage ver'"
[ "$("$prefix/bin/lineage" --version)" = "$version" ] || fail "make install installed another build than make dist packed"
make -s uninstall PREFIX="$prefix" >/dev/null
[ -z "$(find "$prefix" -type f)" ] || fail "make uninstall left $(find "$prefix" -type f | head -3)"

# The CI action of examples/ci installs the tarball as a GitHub runner would (from a file:// URL here).
sha=$(cut -d' ' -f1 "$tarball.sha256")
installed=$(python3 Tests/validators/run_action.py examples/ci/action.yml "file://$tarball" "$sha") || fail "examples/ci/action.yml did not install the tarball"
[ "$installed" = "$version" ] || fail "the action installed $installed, not $version"
if python3 Tests/validators/run_action.py examples/ci/action.yml "file://$tarball" "$(echo "$sha" | tr 0-9a-f 1-9a-f0)" >/dev/null 2>&1; then
    fail "the action installed a tarball whose checksum does not match"
fi
echo "test-dist: $(basename "$tarball") ok ($version); examples/ci/action.yml installs it and refuses a wrong checksum"

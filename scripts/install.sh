#!/usr/bin/env bash
# install.sh BIN-DIR PREFIX GENERATE-MANUAL: installs lineage and lineage-server from BIN-DIR into
# PREFIX/bin, a man page for every command (made by swift-argument-parser's generate-manual from the
# binary's own help, each with the EXAMPLES its --help ends with) into PREFIX/share/man/man1, and
# bash, zsh and fish completions into their standard places under PREFIX/share. `make install` and
# `make dist` call it; `scripts/install.sh --uninstall PREFIX` removes what it installs.
set -euo pipefail

if [ "${1:-}" = "--uninstall" ]; then
    prefix=${2:?usage: install.sh --uninstall PREFIX}
    rm -f "$prefix/bin/lineage" "$prefix/bin/lineage-server" \
        "$prefix/share/bash-completion/completions/lineage" "$prefix/share/zsh/site-functions/_lineage" \
        "$prefix/share/fish/vendor_completions.d/lineage.fish"
    rm -f "$prefix"/share/man/man1/lineage.1 "$prefix"/share/man/man1/lineage.*.1
    echo "Removed lineage from $prefix"
    exit 0
fi

bin_dir=${1:?usage: install.sh BIN-DIR PREFIX GENERATE-MANUAL}
prefix=${2:?usage: install.sh BIN-DIR PREFIX GENERATE-MANUAL}
generate_manual=${3:?usage: install.sh BIN-DIR PREFIX GENERATE-MANUAL}
for program in lineage lineage-server; do
    [ -x "$bin_dir/$program" ] || { echo "install.sh: $bin_dir/$program is missing; build it first (make release)" >&2; exit 1; }
done

install -d "$prefix/bin" "$prefix/share/man/man1" "$prefix/share/bash-completion/completions" \
    "$prefix/share/zsh/site-functions" "$prefix/share/fish/vendor_completions.d"
install -m 0755 "$bin_dir/lineage" "$bin_dir/lineage-server" "$prefix/bin/"
lineage="$prefix/bin/lineage"

# Man pages: one per command (lineage.1, lineage.record.run.1, ...), then each command's EXAMPLES.
pages=$(mktemp -d)
trap 'rm -rf "$pages"' EXIT
"$generate_manual" "$lineage" --multi-page --authors "the lineage authors" --output-directory "$pages"
for page in "$pages"/*.1; do
    name=$(basename "$page" .1)
    read -r -a words <<< "${name//./ }"
    examples=$("$lineage" "${words[@]:1}" --help | sed -n '/^EXAMPLES:$/,$p' | tail -n +2 | sed 's/^  //')
    if [ -n "$examples" ]; then
        {
            [ -z "$(tail -c 1 "$page")" ] || echo
            echo ".Sh EXAMPLES"
            echo ".Bd -literal -offset indent"
            printf '%s\n' "$examples" | sed -e 's/\\/\\e/g' -e 's/^\([.'"'"']\)/\\\&\1/'
            echo ".Ed"
        } >> "$page"
    fi
    install -m 0644 "$page" "$prefix/share/man/man1/"
done

"$lineage" --generate-completion-script bash > "$prefix/share/bash-completion/completions/lineage"
"$lineage" --generate-completion-script zsh > "$prefix/share/zsh/site-functions/_lineage"
"$lineage" --generate-completion-script fish > "$prefix/share/fish/vendor_completions.d/lineage.fish"
echo "Installed lineage $("$lineage" --version) in $prefix"

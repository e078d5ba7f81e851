#!/bin/sh
# embed.sh DOCUMENT OUTPUT: writes DOCUMENT into OUTPUT as the Swift raw string OpenAPIDocument.yaml.
set -eu
document=$1
output=$2
if grep -q '"""#' "$document"; then echo "embed.sh: $document contains \"\"\"#, which ends a Swift raw string" >&2; exit 1; fi
mkdir -p "$(dirname "$output")"
{
    printf '// Generated from docs/openapi.yaml by Plugins/EmbedOpenAPI: edit that file, not this one.\n'
    printf '/// The OpenAPI description of lineage serve, served at /openapi.yaml.\n'
    printf 'enum OpenAPIDocument {\n    static let yaml = #"""\n'
    cat "$document"
    printf '"""#\n}\n'
} > "$output.tmp"
mv "$output.tmp" "$output"

"""doc_script.py DOC.md: prints, as one bash script, every ```sh block of a Markdown document in order, but
those right after a line `<!-- not run: WHY -->`. Tests run the script in an empty directory with lineage on
the PATH, so the document's commands are checked exactly as a reader would type them. Lines of a block
that a reader would not run as written are marked in the document itself, never edited here."""
import re, sys

text = open(sys.argv[1], encoding="utf-8").read().splitlines()
blocks, skip, inside, current = [], False, False, []
for line in text:
    if inside:
        if line.startswith("```"):
            inside = False
            if not skip:
                blocks.append("\n".join(current))
            skip = False
        else:
            current.append(line)
        continue
    if re.match(r"^```(sh|bash|shell)\s*$", line):
        inside, current = True, []
        continue
    if line.strip():
        skip = line.strip().startswith("<!-- not run")
print("set -euo pipefail")
for number, block in enumerate(blocks, 1):
    print(f"echo '>>> block {number}' >&2")
    print(block)

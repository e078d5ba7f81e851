"""check_commands_doc.py LINEAGE COMMANDS.md: every option that `lineage CMD --help` shows is named in
docs/commands.md, in the command's section or among the options every command shares (the text before the
first section, "Output on a terminal", "Common options of write commands"). Prints what is missing; exit 1
if anything is."""
import json, subprocess, re, sys
binary = sys.argv[1]; doc = open(sys.argv[2]).read()
tool = json.loads(subprocess.run([binary, "--experimental-dump-help"], capture_output=True, text=True).stdout)
sections = {"": ""}
cur = ""
for line in doc.splitlines():
    m = re.match(r"^## (.*)$", line)
    if m: cur = m.group(1).strip(); sections[cur] = ""; continue
    sections[cur] += line + "\n"
common = sections[""] + sections.get("Output on a terminal", "") + sections.get("Common options of write commands", "")
def section_for(path):
    words = path.split()
    for n in range(len(words), 1, -1):
        key = " ".join(words[:n])
        for title in sections:
            if title == key or title.startswith(key + " "): return title
    return None
missing = []
def walk(c, path):
    subs = c.get("subcommands", [])
    if path != "lineage" and not path.endswith(" help"):
        title = section_for(path)
        text = sections.get(title, "") if title else ""
        for a in c.get("arguments", []):
            if a.get("shouldDisplay") is False: continue
            names = [n["name"] for n in a.get("names", []) if n["kind"] == "long"]
            if not names: continue
            flag = "--" + names[0]
            if flag in ("--help", "--version"): continue
            if not re.search(re.escape(flag) + r"(?![a-z-])", text) and not re.search(re.escape(flag) + r"(?![a-z-])", common):
                missing.append((path, title, flag))
        if not title: missing.append((path, None, "(no section)"))
    for s in subs: walk(s, path + " " + s["commandName"])
walk(tool["command"], "lineage")
for m in missing: print(*m, sep=" | ")
if missing:
    print(f"{len(missing)} options of --help are not in {sys.argv[2]}", file=sys.stderr)
    sys.exit(1)

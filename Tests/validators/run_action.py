"""run_action.py ACTION.yml URL SHA256: runs the `run` steps of the composite action examples/ci/action.yml as
a GitHub runner would (a cache miss; `uses` steps skipped), with its inputs, in a temporary runner layout
(RUNNER_TEMP, RUNNER_TOOL_CACHE, GITHUB_PATH, GITHUB_OUTPUT). Then runs `lineage --version` from the
directory the action put on the PATH, and prints it; exit 1 on any failure."""
import os, re, subprocess, sys, tempfile
from ruamel.yaml import YAML

action_file, url, sha256 = sys.argv[1:4]
action = YAML(typ="safe").load(open(action_file))
inputs = {"url": url, "sha256": sha256}
with tempfile.TemporaryDirectory() as runner:
    env = dict(os.environ)
    for name in ["temp", "tool_cache"]:
        os.makedirs(os.path.join(runner, name))
    env.update(RUNNER_TEMP=os.path.join(runner, "temp"), RUNNER_TOOL_CACHE=os.path.join(runner, "tool_cache"),
               GITHUB_PATH=os.path.join(runner, "path"), GITHUB_OUTPUT=os.path.join(runner, "output"))
    def expand(text):
        def value(match):
            expression = match.group(1).strip()
            if expression.startswith("inputs."):
                return inputs[expression[len("inputs."):]]
            raise SystemExit(f"run_action.py: cannot evaluate ${{{{ {expression} }}}} in a run step")
        return re.sub(r"\$\{\{(.*?)\}\}", value, str(text))
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        condition = step.get("if", "")
        if condition and condition != "steps.cache.outputs.cache-hit != 'true'":
            raise SystemExit(f"run_action.py: unknown condition {condition}")
        step_env = dict(env)
        step_env.update({key: expand(value) for key, value in step.get("env", {}).items()})
        result = subprocess.run(["bash", "-e", "-c", step["run"]], env=step_env)
        if result.returncode != 0:
            print(f"run_action.py: step {step.get('name')!r} failed with exit {result.returncode}", file=sys.stderr)
            sys.exit(1)
    path = open(env["GITHUB_PATH"]).read().split()
    outputs = dict(line.split("=", 1) for line in open(env["GITHUB_OUTPUT"]).read().splitlines())
    version = subprocess.run([os.path.join(path[-1], "lineage"), "--version"], capture_output=True, text=True, check=True).stdout.strip()
    if outputs.get("version") != version:
        raise SystemExit(f"run_action.py: the action's version output {outputs.get('version')!r} is not {version!r}")
    print(version)

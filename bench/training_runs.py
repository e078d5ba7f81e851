"""Benchmark for recording training runs (issue 4), printed beside MLflow measured in the same run.

1. `lineage record run` with 10 params and 5 metrics, one process per run: runs per second; and the same
   commands through one `lineage session`.
2. The Python hook (examples/python/lineage_hook.py) around an empty training block with 10 params
   and 5 metrics, against MLflow's start_run + log_params + log_metrics on its sqlite backend.

    python3 bench/training_runs.py LINEAGE_BINARY [RUNS] [OUT_JSON]
"""

import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "examples", "python"))


def main():
    lineage = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    out = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else "bench-results/training_runs.json")
    work = tempfile.mkdtemp(prefix="lineage-runs-")
    os.chdir(work)
    subprocess.run(["git", "init", "-q"], check=True)
    open("train.py", "w").write("# training script\n")
    subprocess.run([lineage, "init", "-q", "--origin", "bench.example/runs"], check=True)
    params = {"p%d" % i: i * 0.1 for i in range(10)}
    metrics = {"m%d" % i: 0.9 + i / 100 for i in range(5)}
    flags = sum((["--param", "%s=%s" % kv] for kv in params.items()), []) + sum((["--metric", "%s=%s" % kv] for kv in metrics.items()), [])

    start = time.perf_counter()
    for i in range(runs):
        subprocess.run([lineage, "record", "run", "--name", "r%d" % i, "--status", "succeeded"] + flags, check=True, stdout=subprocess.DEVNULL)
    cli_rate = runs / (time.perf_counter() - start)

    session = subprocess.Popen([lineage, "session"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
    start = time.perf_counter()
    for i in range(runs):
        session.stdin.write(json.dumps(["record", "run", "--name", "s%d" % i, "--status", "succeeded", "--json"] + flags) + "\n")
        session.stdin.flush()
        assert json.loads(session.stdout.readline())["exit"] == 0
    session_rate = runs / (time.perf_counter() - start)
    session.stdin.close()
    session.wait()

    os.environ["LINEAGE_BIN"] = lineage
    import lineage_hook
    lineage_hook._environment()  # computed once per process, as in a real training script
    start = time.perf_counter()
    for i in range(runs):
        with lineage_hook.run("hook%d" % i, params=params, code_path="train.py") as run:
            run.log_metrics(metrics)
    hook_per_run = (time.perf_counter() - start) / runs

    mlflow_per_run = None
    try:
        import mlflow
        mlflow.set_tracking_uri("sqlite:///" + os.path.join(work, "mlflow.db"))
        mlflow.set_experiment("bench")
        with mlflow.start_run():  # the first run creates the schema; not timed
            pass
        start = time.perf_counter()
        for i in range(runs):
            with mlflow.start_run(run_name="r%d" % i):
                mlflow.log_params(params)
                mlflow.log_metrics(metrics)
        mlflow_per_run = (time.perf_counter() - start) / runs
    except ImportError:
        print("MLflow is not installed (pip install mlflow-skinny sqlalchemy alembic): no reference", file=sys.stderr)

    rows = [
        ("lineage record run, 10 params + 5 metrics, one process each", "%.0f runs/s" % cli_rate, "-", ">= 100 runs/s",
         "MET" if cli_rate >= 100 else "NOT MET"),
        ("the same record run commands through one lineage session", "%.0f runs/s" % session_rate, "-", "(no target)", "-"),
        ("Python hook run with 10 params + 5 metrics", "%.1f ms/run" % (hook_per_run * 1000),
         "MLflow sqlite %.1f ms/run" % (mlflow_per_run * 1000) if mlflow_per_run else "MLflow not installed", ">= 5x faster",
         ("%.1fx %s" % (mlflow_per_run / hook_per_run, "MET" if mlflow_per_run / hook_per_run >= 5 else "NOT MET")) if mlflow_per_run else "-"),
    ]
    print("\nlineage bench: recording training runs (%d runs each)" % runs)
    for what, value, reference, target, verdict in rows:
        print("- %s: %s | reference: %s | target: %s | %s" % (what, value, reference, target, verdict))
    os.makedirs(os.path.dirname(os.path.abspath(out)) or ".", exist_ok=True)
    with open(out, "w") as f:
        json.dump({"runs": runs, "recordRunPerSecond": cli_rate, "sessionRecordRunPerSecond": session_rate, "hookMillisecondsPerRun": hook_per_run * 1000,
                   "mlflowMillisecondsPerRun": mlflow_per_run * 1000 if mlflow_per_run else None}, f, indent=2)


if __name__ == "__main__":
    main()

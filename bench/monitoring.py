"""Benchmark for monitoring (issue 23): `lineage monitor` over the last day of a store, printed beside
the issue's targets and beside numpy/scipy computing the same PSI and KS on the same values (the
floor: the arithmetic alone, with the values already in memory), measured in the same run.

    python3 bench/monitoring.py LINEAGE_BINARY [PREDICTIONS_PER_DAY] [OUT_JSON] [DAYS_BEFORE]

The store: a model deployed on 2026-11-01, a reference week of a quarter as many predictions, then
PREDICTIONS_PER_DAY on 2026-11-19 (after DAYS_BEFORE days of as many, default 0: with 9, a store of
10.25M predictions); four rules (output drift by PSI, feature drift by KS, volume,
governance) evaluated as of 2026-11-20T00:00Z with --dry-run; then 10,000 more predictions and the
same again (the "incremental" figure).
"""

import json
import os
import random
import subprocess
import sys
import tempfile
import time

POLICY = """monitoring:
  - {name: psi, type: output-drift, deployment: m/prod, field: score}
  - {name: amount, type: feature-drift, field: amount, metric: ks}
  - {name: volume, type: volume, deployment: m/prod}
  - {name: governance, type: governance}
"""


def lines(start, count, day_of, second_of, rng):
    for k in range(count):
        i, day, sec = start + k, day_of(k), second_of(k)
        score = rng.random()
        yield ('{"predictionId":"p%d","deployment":"deployment:m/prod","time":"2026-11-%02dT%02d:%02d:%02d.000Z",'
               '"output":{"score":%.3f,"label":"%s"},"monitored":{"amount":%d}}\n'
               % (i, day, sec // 3600, sec // 60 % 60, sec % 60, score, "fraud" if score > 0.5 else "ok", rng.randint(1, 500)))


def timed(command):
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main():
    lineage = os.path.abspath(sys.argv[1])
    per_day = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    out = os.path.abspath(sys.argv[3] if len(sys.argv) > 3 else "bench-results/monitoring.json")
    days_before = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    os.chdir(tempfile.mkdtemp(prefix="lineage-monitor-"))
    env = dict(os.environ, LINEAGE_ACTOR="bench")
    run = lambda *a: subprocess.run([lineage, *a], check=True, stdout=subprocess.DEVNULL, env=env)
    run("init", "-q", "--origin", "bench.example/monitor")
    open("m.bin", "w").write("weights\n")
    at = "2026-11-01T00:00:00.000Z"
    run("record", "model", "--name", "m", "--file", "m.bin", "--time", at)
    run("record", "approval", "--model", "model:m@1", "--approver", "c", "--purpose", "production", "--time", at)
    run("record", "deployment", "--model", "model:m@1", "--environment", "prod", "--time", at)
    rng, week = random.Random(1), per_day // 4
    with open("p.ndjson", "w") as f:
        f.writelines(lines(0, week, lambda k: 1 + k * 7 // week, lambda k: k * 86400 * 7 // week % 86400, rng))
        for d in range(days_before):
            f.writelines(lines(week + (d + 1) * per_day, per_day, lambda k, d=d: 18 - days_before + 1 + d, lambda k: k * 86400 // per_day, rng))
        f.writelines(lines(week, per_day, lambda k: 19, lambda k: k * 86400 // per_day, rng))
    subprocess.run([lineage, "ingest", "p.ndjson", "-q"], check=True, env=env)
    open(".lineage/policy.yaml", "w").write(POLICY)
    monitor = [lineage, "monitor", "--dry-run", "--at", "2026-11-20T00:00:00Z"]
    os.environ["LINEAGE_ACTOR"] = "bench"
    full = timed(monitor)
    with open("more.ndjson", "w") as f:
        f.writelines(lines(week + (days_before + 1) * per_day, 10_000, lambda k: 19, lambda k: 86399 - k % 60, rng))
    subprocess.run([lineage, "ingest", "more.ndjson", "-q"], check=True, env=env)
    incremental = timed(monitor)

    # The reference: numpy and scipy on the same values, already in memory.
    import numpy as np
    from scipy.stats import ks_2samp
    rng = random.Random(2)
    r, c = np.array([rng.random() for _ in range(week)]), np.array([rng.random() for _ in range(per_day)])
    start = time.perf_counter()
    edges = np.quantile(r, [i / 10 for i in range(1, 10)])
    share = lambda x: np.maximum(np.bincount(np.searchsorted(edges, x, side="right"), minlength=10) / len(x), 1e-4)
    p, q = share(r), share(c)
    float(np.sum((q - p) * np.log(q / p)))
    ks_2samp(r, c)
    arithmetic = time.perf_counter() - start

    results = {"predictionsPerDay": per_day, "storePredictions": week + (days_before + 1) * per_day, "monitorSeconds": full, "incrementalSeconds": incremental,
               "numpyScipySeconds": arithmetic, "targetSeconds": 5.0, "incrementalTargetSeconds": 0.2}
    print("monitoring (%d predictions in the day, %d in the store, 4 rules):" % (per_day, week + (days_before + 1) * per_day))
    print("  lineage monitor over the day          %8.2f s   (target < 5 s for a 10M store's day)" % full)
    print("  after 10,000 more predictions          %8.2f s   (target < 0.2 s)" % incremental)
    print("  numpy + scipy, PSI and KS alone        %8.2f s   (reference: the arithmetic, values in memory)" % arithmetic)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    json.dump(results, open(out, "w"), indent=2)


main()

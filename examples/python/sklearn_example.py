"""A real training pipeline recorded with lineage, end to end.

Exports scikit-learn's bundled breast-cancer data to CSV as the raw source, records a cleaning
transform and the training data it produced, trains a classifier inside a lineage run (params,
metrics, model), deploys it, serves a batch of predictions, and ends with `lineage trace` on one.

    python examples/python/sklearn_example.py WORKDIR      (WORKDIR gets the data and a store)

Needs scikit-learn and the lineage CLI (on PATH or in LINEAGE_BIN).
"""

import csv
import json
import os
import pickle
import random
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import lineage_hook  # noqa: E402

from sklearn.datasets import load_breast_cancer  # noqa: E402
from sklearn.ensemble import RandomForestClassifier  # noqa: E402
from sklearn.metrics import accuracy_score, roc_auc_score  # noqa: E402

LINEAGE = os.environ.get("LINEAGE_BIN", "lineage")


def lineage(*args):
    subprocess.run([LINEAGE, *args], check=True)


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def read_csv(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    return rows[0], [[float(v) for v in row] for row in rows[1:]]


def main(workdir):
    os.makedirs(workdir, exist_ok=True)
    os.chdir(workdir)
    if not os.path.isdir(".lineage"):
        lineage("init", "--origin", "example.com/breast-cancer", "--quiet")

    # 1. The raw source: the dataset that ships inside scikit-learn, exported as it is.
    data = load_breast_cancer()
    header = [name.replace(" ", "_") for name in data.feature_names] + ["malignant"]
    rows = [list(map(float, x)) + [int(y == 0)] for x, y in zip(data.data, data.target)]
    write_csv("data/raw/breast_cancer.csv", header, rows)
    raw = lineage_hook.call("add", "dataset", "data/raw/breast_cancer.csv", "--name", "breast-cancer-raw",
                            "--license", "CC-BY-4.0", "--uri", "sklearn.datasets.load_breast_cancer")

    # 2. A cleaning transform: drop incomplete rows, keep 20 features, split 80/20 with a fixed seed.
    header, rows = read_csv("data/raw/breast_cancer.csv")
    keep = list(range(20)) + [len(header) - 1]
    rows = [[row[i] for i in keep] for row in rows if all(v == v for v in row)]
    random.Random(7).shuffle(rows)
    split = int(len(rows) * 0.8)
    write_csv("data/clean/train.csv", [header[i] for i in keep], rows[:split])
    write_csv("data/clean/test.csv", [header[i] for i in keep], rows[split:])
    clean = lineage_hook.call("record", "transform", "--name", "clean-split", "--input", raw["id"],
                              "--command", "sklearn_example.py: drop incomplete rows, keep 20 features, split 80/20",
                              "--param", "features=20", "--param", "test_fraction=0.2", "--param", "seed=7",
                              "--code-from", os.path.abspath(__file__))
    lineage_hook.call("add", "dataset", "data/clean/train.csv", "--name", "train", "--from", clean["id"])
    lineage_hook.call("add", "dataset", "data/clean/test.csv", "--name", "test", "--from", clean["id"])

    # 3. Training, recorded by the hook: params, metrics, and the model it produced.
    params = {"n_estimators": 50, "max_depth": 5, "random_state": 0}
    with lineage_hook.run("train-forest", inputs={"train": "data/clean/train.csv", "test": "data/clean/test.csv"},
                          params=params, code_path=os.path.abspath(__file__)) as run:
        _, train = read_csv("data/clean/train.csv")
        _, test = read_csv("data/clean/test.csv")
        model = RandomForestClassifier(**params).fit([r[:-1] for r in train], [int(r[-1]) for r in train])
        scores = model.predict_proba([r[:-1] for r in test])[:, 1]
        truth = [int(r[-1]) for r in test]
        run.log_metrics({"auc": round(float(roc_auc_score(truth, scores)), 4),
                         "accuracy": round(float(accuracy_score(truth, model.predict([r[:-1] for r in test]))), 4)})
        with open("model.pkl", "wb") as f:
            pickle.dump(model, f)
        run.register_model("breast-cancer", "model.pkl", format="pickle")

    # 4. Deploy it, and serve a batch of predictions; raw inputs go to the erasable payload store.
    lineage("record", "deployment", "--model", "model:breast-cancer", "--environment", "prod",
            "--endpoint", "https://api.example/breast-cancer")
    for i, row in enumerate(test[:10]):
        score = float(model.predict_proba([row[:-1]])[0, 1])
        lineage_hook.call("record", "prediction", "--id", "bc-%04d" % i, "--deployment", "deployment:breast-cancer/prod",
                          "--input-json", json.dumps(row[:-1]),
                          "--output", json.dumps({"label": "malignant" if score >= 0.5 else "benign", "score": round(score, 4)}))

    # 5. Where did prediction bc-0003 come from?
    lineage("trace", "bc-0003")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "lineage-sklearn-example")

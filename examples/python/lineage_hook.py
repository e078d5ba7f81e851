"""Record a training script's lineage with the `lineage` CLI. Standard library only.

    import lineage_hook

    with lineage_hook.run("train-fraud", inputs={"train": "data/train.csv"}, params={"lr": 0.1}) as run:
        model = fit(...)
        run.log_metrics({"auc": 0.93})
        save(model, "model.pkl")
        run.register_model("fraud", "model.pkl", format="pickle")

On leaving the block the hook records the run (its inputs, parameters, metrics, code version,
Python environment, start and end, and whether it succeeded), then the models and outputs it
produced, each linked to the run. If the block raises, the run is recorded as failed and the
exception propagates. Set LINEAGE_BIN to the lineage executable if it is not on PATH.

Every call goes to one long-lived `lineage session` process, so recording costs no process
start-up; set LINEAGE_SESSION=0 to start one `lineage` process per call instead.
"""

import atexit
import contextlib
import datetime
import hashlib
import json
import os
import platform
import subprocess
import sys
import threading

__all__ = ["LineageError", "Run", "run", "call"]


class LineageError(RuntimeError):
    """A lineage command failed; the message is lineage's own."""


class _Session:
    """One `lineage session` child: a JSON array of arguments in, one JSON reply out, per call.
    Restarted when the working directory or a LINEAGE_* variable changes, since the child
    resolves paths and the store from its own."""

    def __init__(self):
        self.lock = threading.Lock()
        self.process = None
        self.context = None

    def _context(self):
        return (os.getcwd(), tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("LINEAGE_"))))

    def close(self):
        if self.process:
            self.process.stdin.close()
            self.process.wait()
            self.process = None

    def call(self, binary, arguments):
        with self.lock:
            context = self._context()
            if self.process is None or self.process.poll() is not None or context != self.context:
                self.close()
                self.process = subprocess.Popen([binary, "session"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                                text=True, bufsize=1)
                self.context = context
            self.process.stdin.write(json.dumps(arguments) + "\n")
            self.process.stdin.flush()
            line = self.process.stdout.readline()
            if not line:
                self.close()
                raise LineageError("the lineage session ended unexpectedly")
            return json.loads(line)


_SESSION = _Session()
atexit.register(_SESSION.close)


def call(*args, store=None):
    """Runs `lineage ARGS --json` and returns its parsed JSON output."""
    binary = os.environ.get("LINEAGE_BIN", "lineage")
    arguments = [*args, "--json"] + (["--store", store] if store else [])
    if os.environ.get("LINEAGE_SESSION", "1") != "0":
        reply = _SESSION.call(binary, arguments)
        if reply["exit"] != 0:
            raise LineageError(reply.get("error") or "lineage exited with status %d" % reply["exit"])
        return json.loads(reply["stdout"])
    done = subprocess.run([binary, *arguments], capture_output=True, text=True)
    if done.returncode != 0:
        raise LineageError(done.stderr.strip() or "lineage exited with status %d" % done.returncode)
    return json.loads(done.stdout)


def _now():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_ENVIRONMENT = None


def _environment():
    """Facts about this interpreter, computed once per process (pip freeze is slow)."""
    global _ENVIRONMENT
    if _ENVIRONMENT is None:
        facts = {"python": platform.python_version(), "pythonExecutable": sys.executable, "os": platform.platform()}
        freeze = subprocess.run([sys.executable, "-m", "pip", "freeze", "--all"], capture_output=True, text=True)
        if freeze.returncode == 0:
            facts["pipFreezeDigest"] = "sha256:" + hashlib.sha256(freeze.stdout.strip().encode()).hexdigest()
        _ENVIRONMENT = facts
    return _ENVIRONMENT


def _flag_value(value):
    return json.dumps(value) if isinstance(value, (bool, int, float)) or value is None else str(value)


class Run:
    """One training run being recorded; use `run(...)` rather than creating it directly."""

    def __init__(self, name, inputs=None, params=None, store=None, code_path=None):
        self.name = name
        self.store = store
        self.inputs = dict(inputs or {})
        self.params = dict(params or {})
        self.metrics = {}
        self.models = []
        self.outputs = []
        self.code_path = code_path or (sys.argv[0] if sys.argv and os.path.exists(sys.argv[0]) else os.getcwd())
        self.input_ids = []
        self.id = None
        self.started_at = None

    def log_param(self, key, value):
        self.params[key] = value

    def log_params(self, params):
        self.params.update(params)

    def log_metric(self, key, value):
        self.metrics[key] = value

    def log_metrics(self, metrics):
        self.metrics.update(metrics)

    def register_model(self, name, path, format=None):
        """Registers `path` as the next version of model `name` when the run ends."""
        self.models.append((name, path, format))

    def add_output(self, name, path):
        """Registers `path` as a dataset derived from this run when the run ends."""
        self.outputs.append((name, path))

    def _start(self):
        self.started_at = _now()
        for name, path in self.inputs.items():
            self.input_ids.append(call("add", "dataset", path, "--name", name, store=self.store)["id"])

    def _finish(self, status, error=None):
        args = ["record", "run", "--name", self.name, "--status", status, "--code-from", self.code_path,
                "--started-at", self.started_at, "--ended-at", _now()]
        for input_id in self.input_ids:
            args += ["--input", input_id]
        for key, value in self.params.items():
            args += ["--param", "%s=%s" % (key, _flag_value(value))]
        for key, value in self.metrics.items():
            args += ["--metric", "%s=%s" % (key, _flag_value(value))]
        for key, value in _environment().items():
            args += ["--env", "%s=%s" % (key, value)]
        if error:
            args += ["--error", error]
        self.id = call(*args, store=self.store)["id"]
        if status != "succeeded":
            return
        for name, path, format in self.models:
            extra = ["--format", format] if format else []
            call("record", "model", "--name", name, "--file", path, "--run", self.id, *extra, store=self.store)
        for name, path in self.outputs:
            call("add", "dataset", path, "--name", name, "--from", self.id, store=self.store)


@contextlib.contextmanager
def run(name, inputs=None, params=None, store=None, code_path=None):
    """Records the block as a training run. `inputs` maps dataset names to files or directories."""
    current = Run(name, inputs=inputs, params=params, store=store, code_path=code_path)
    current._start()
    try:
        yield current
    except BaseException as error:
        current._finish("failed", error="%s: %s" % (type(error).__name__, error))
        raise
    current._finish("succeeded")

"""http_trace.py LINEAGE LINEAGE-BENCH [RECORDS] [SECONDS] [OUT.json]: trace latency over HTTP under load.

Builds the benchmark's synthetic store of RECORDS predictions (lineage-bench --prepare-only, then lineage
ingest), serves it, and loads it with wrk (Debian's): 32 connections on 2 threads for SECONDS, each request
GET /v1/records/pred-N/trace for a random N, with a reader token (so every request is authorized and written
to the access log). Prints p50 and p99 beside the same load on /healthz (the HTTP stack with no store work),
measured in the same run, and the server's peak memory."""
import json, os, re, shutil, subprocess, sys, tempfile

lineage, bench = sys.argv[1], sys.argv[2]
records = int(sys.argv[3]) if len(sys.argv) > 3 else 1_000_000
seconds = int(sys.argv[4]) if len(sys.argv) > 4 else 20
out = sys.argv[5] if len(sys.argv) > 5 else None
if not shutil.which("wrk"):
    sys.exit("http_trace.py: wrk is missing: apt-get install wrk")
env = dict(os.environ, LINEAGE_ACTOR="bench@example.com", NO_COLOR="1")
env.pop("LINEAGE_STORE", None)
work = tempfile.mkdtemp(prefix="lineage-trace-bench-")
cleanup = [work]
server = None
try:
    prepared = subprocess.run([bench, "--records", str(records), "--lineage", lineage, "--prepare-only"],
                              env=env, check=True, capture_output=True, text=True)
    match = re.search(r"Prepared (\S+)/\.lineage and (\S+);", prepared.stdout + prepared.stderr)
    if not match:
        raise SystemExit(f"http_trace.py: cannot read where lineage-bench prepared the store: {prepared.stdout + prepared.stderr!r}")
    root, ndjson = match.group(1), match.group(2)
    cleanup.append(root)
    subprocess.run([lineage, "ingest", ndjson, "-q"], cwd=root, env=env, check=True)
    token = subprocess.run([lineage, "token", "create", "--name", "bench-reader", "--role", "reader"], cwd=root, env=env,
                           check=True, capture_output=True, text=True).stdout.strip()
    server = subprocess.Popen([lineage, "serve", "--listen", "127.0.0.1:0"], cwd=root, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    base = server.stdout.readline().strip().split("listening on ")[1]
    script = os.path.join(work, "trace.lua")
    with open(script, "w") as f:
        f.write(f"""
math.randomseed(8812)
wrk.headers["Authorization"] = "Bearer {token}"
request = function()
  return wrk.format("GET", "/v1/records/pred-" .. math.random(0, {records - 1}) .. "/trace")
end
""")
    def load(path, lua=None):
        arguments = ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency"] + (["-s", lua] if lua else []) + [base + path]
        text = subprocess.run(arguments, check=True, capture_output=True, text=True).stdout
        def ms(label):
            value, unit = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M).groups()
            return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
        errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
        return {"p50": ms("50"), "p99": ms("99"), "perSecond": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
                "non2xx": int(errors.group(1)) if errors else 0}
    health = load("/healthz")
    trace = load("/", script)
    rss = 0
    for line in open(f"/proc/{server.pid}/status"):
        if line.startswith("VmHWM:"):
            rss = int(line.split()[1]) // 1024
    print(f"trace over HTTP, {records:,}-prediction store, 32 connections, reader token + access log: "
          f"p50 {trace['p50']:.2f} ms, p99 {trace['p99']:.2f} ms, {trace['perSecond']:,.0f} requests/s, "
          f"{trace['non2xx']} non-2xx (targets: p50 < 2 ms, p99 < 20 ms); server peak RSS {rss} MB")
    print(f"  reference, GET /healthz under the same load: p50 {health['p50']:.2f} ms, p99 {health['p99']:.2f} ms, {health['perSecond']:,.0f} requests/s")
    if trace["non2xx"]:
        sys.exit("http_trace.py: some traces failed")
    if out:
        json.dump({"records": records, "trace": trace, "healthz": health, "serverPeakRSSMB": rss}, open(out, "w"), indent=2)
finally:
    if server:
        server.terminate()
        server.wait(timeout=60)
    for directory in cleanup:
        shutil.rmtree(directory, ignore_errors=True)

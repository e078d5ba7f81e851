"""http_ingest.py LINEAGE [CLIENTS] [REQUESTS] [LINES] [OUT.json]: ingest over HTTP against `lineage ingest`.

Makes two fresh stores with one model and deployment; writes CLIENTS x REQUESTS x LINES predictions (raw
commitments, as an inference service sends them); then times (1) `lineage ingest` of them as one file into
the first store, and (2) CLIENTS concurrent clients, each posting its REQUESTS bodies of LINES lines in turn
over one keep-alive connection, to `lineage serve` on the second store, with an ingest token (so with
authentication and the access log on). Prints both rates and their ratio; the store must hold every line."""
import http.client, json, os, shutil, subprocess, sys, tempfile, threading, time

lineage = sys.argv[1]
clients = int(sys.argv[2]) if len(sys.argv) > 2 else 8
requests = int(sys.argv[3]) if len(sys.argv) > 3 else 25
lines_per = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
out = sys.argv[5] if len(sys.argv) > 5 else None
env = dict(os.environ, LINEAGE_ACTOR="bench@example.com", NO_COLOR="1")
env.pop("LINEAGE_STORE", None)

def run(*args, cwd):
    return subprocess.run([lineage, *args], cwd=cwd, env=env, check=True, capture_output=True, text=True).stdout

def make_store(root):
    os.makedirs(root)
    run("init", "--origin", "bench.example/http", "-q", cwd=root)
    open(os.path.join(root, "m.bin"), "wb").write(b"model")
    run("record", "model", "--name", "fraud", "--file", "m.bin", cwd=root)
    run("record", "deployment", "--model", "model:fraud@1", "--environment", "prod", cwd=root)

work = tempfile.mkdtemp(prefix="lineage-http-bench-")
try:
    bodies = []
    for c in range(clients):
        mine = []
        for r in range(requests):
            lines = []
            for i in range(lines_per):
                n = (c * requests + r) * lines_per + i
                lines.append(json.dumps({"predictionId": f"p-{n}", "deployment": "deployment:fraud/prod",
                                         "input": "sha256:" + format(n, "064x"), "output": {"label": n % 2, "score": (n % 1000) / 1000},
                                         "latencyMs": n % 50}, separators=(",", ":"), sort_keys=True))
            mine.append(("\n".join(lines) + "\n").encode())
        bodies.append(mine)
    total = clients * requests * lines_per

    cli_store = os.path.join(work, "cli")
    make_store(cli_store)
    with open(os.path.join(work, "all.ndjson"), "wb") as f:
        for mine in bodies:
            for body in mine:
                f.write(body)
    started = time.perf_counter()
    run("ingest", os.path.join(work, "all.ndjson"), "-q", cwd=cli_store)
    cli_seconds = time.perf_counter() - started

    http_store = os.path.join(work, "http")
    make_store(http_store)
    token = run("token", "create", "--name", "inference", "--role", "ingest", cwd=http_store).strip()
    server = subprocess.Popen([lineage, "serve", "--listen", "127.0.0.1:0"], cwd=http_store, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    address = server.stdout.readline().strip().split("http://")[1]
    host, port = address.rsplit(":", 1)
    failures = []
    def client(mine):
        connection = http.client.HTTPConnection(host, int(port), timeout=600)
        for body in mine:
            connection.request("POST", "/v1/records", body=body, headers={"Authorization": "Bearer " + token, "Content-Type": "application/x-ndjson"})
            answer = connection.getresponse()
            payload = answer.read()
            if answer.status != 200:
                failures.append((answer.status, payload[:200]))
    threads = [threading.Thread(target=client, args=(mine,)) for mine in bodies]
    started = time.perf_counter()
    for t in threads: t.start()
    for t in threads: t.join()
    http_seconds = time.perf_counter() - started
    rss = 0
    try:
        for line in open(f"/proc/{server.pid}/status"):
            if line.startswith("VmHWM:"): rss = int(line.split()[1]) // 1024
    except OSError:
        pass
    server.terminate()
    server.wait(timeout=60)
    if failures:
        sys.exit(f"http_ingest.py: {len(failures)} requests failed, e.g. {failures[0]}")
    landed = run("query", "--kind", "prediction", "--csv", cwd=http_store).count("\n") - 1
    if landed != total:
        sys.exit(f"http_ingest.py: the server's store holds {landed} predictions, not {total}")
    cli_rate, http_rate = total / cli_seconds, total / http_seconds
    print(f"ingest over HTTP, {clients} clients x {requests} requests x {lines_per} predictions, token + access log: "
          f"{http_rate:,.0f} predictions/s ({http_seconds:.2f} s; server peak RSS {rss} MB)")
    print(f"  reference, lineage ingest of the same {total:,} lines as one file: {cli_rate:,.0f} predictions/s ({cli_seconds:.2f} s)")
    print(f"  ratio HTTP / CLI: {http_rate / cli_rate:.2f}  (targets: >= 50,000/s and >= 0.5)")
    if out:
        json.dump({"records": total, "clients": clients, "httpPerSecond": http_rate, "cliPerSecond": cli_rate,
                   "ratio": http_rate / cli_rate, "serverPeakRSSMB": rss}, open(out, "w"), indent=2)
finally:
    shutil.rmtree(work, ignore_errors=True)

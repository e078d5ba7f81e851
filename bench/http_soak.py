"""http_soak.py LINEAGE [MINUTES] [OUT.json]: memory of lineage serve under a steady mixed load.

Serves a fresh store and, for MINUTES, keeps it busy from 6 threads: 2 posting 1,000-prediction bodies (two a
second each), 2
tracing random predictions already posted, 1 listing predictions (streamed NDJSON, limit 5,000), 1 showing
records; every request authorized, every read in the access log. Samples the server's resident memory
(VmRSS) every 15 s and prints the samples, the first and last minute's medians and their ratio: flat memory
is a second half that does not grow (the first minutes fill the readers' segment caches) while the store grows."""
import http.client, json, os, random, shutil, statistics, subprocess, sys, tempfile, threading, time

lineage = sys.argv[1]
minutes = float(sys.argv[2]) if len(sys.argv) > 2 else 10
out = sys.argv[3] if len(sys.argv) > 3 else None
env = dict(os.environ, LINEAGE_ACTOR="bench@example.com", NO_COLOR="1")
env.pop("LINEAGE_STORE", None)
work = tempfile.mkdtemp(prefix="lineage-soak-")
server = None
try:
    def run(*args):
        return subprocess.run([lineage, *args], cwd=work, env=env, check=True, capture_output=True, text=True).stdout
    run("init", "--origin", "bench.example/soak", "-q")
    open(os.path.join(work, "m.bin"), "wb").write(b"model")
    run("record", "model", "--name", "fraud", "--file", "m.bin")
    run("record", "deployment", "--model", "model:fraud@1", "--environment", "prod")
    writer = run("token", "create", "--name", "service", "--role", "ingest").strip()
    reader = run("token", "create", "--name", "auditor", "--role", "auditor").strip()
    server = subprocess.Popen([lineage, "serve", "--listen", "127.0.0.1:0"], cwd=work, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.DEVNULL, text=True)
    host, port = server.stdout.readline().strip().split("http://")[1].rsplit(":", 1)
    stop = time.time() + minutes * 60
    posted = [0]
    lock = threading.Lock()
    counts = {"ingest": 0, "trace": 0, "query": 0, "show": 0, "errors": 0}

    def loop(kind):
        connection = http.client.HTTPConnection(host, int(port), timeout=120)
        rng = random.Random(kind)
        while time.time() < stop:
            headers = {"Authorization": "Bearer " + (writer if kind.startswith("ingest") else reader)}
            if kind.startswith("ingest"):
                with lock:
                    first = posted[0]
                    posted[0] += 1000
                body = "".join(json.dumps({"predictionId": f"s-{n}", "deployment": "deployment:fraud/prod", "input": "sha256:" + format(n, "064x"),
                                           "output": {"label": n % 2}}) + "\n" for n in range(first, first + 1000))
                connection.request("POST", "/v1/records", body=body, headers=headers)
                time.sleep(0.5)  # a steady 2 x 2,000 predictions a second: the store grows, the disk lasts
            else:
                with lock:
                    known = posted[0] - 2000
                if known <= 0:
                    time.sleep(0.05)
                    continue
                n = rng.randrange(known)
                path = {"trace": f"/v1/records/s-{n}/trace", "query": "/v1/query?kind=prediction&limit=5000",
                        "show": f"/v1/records/s-{n}"}[kind.rstrip("0123456789")]
                connection.request("GET", path, headers=headers)
            answer = connection.getresponse()
            answer.read()
            with lock:
                counts[kind.rstrip("0123456789")] += 1
                if answer.status >= 300:
                    counts["errors"] += 1

    threads = [threading.Thread(target=loop, args=(kind,)) for kind in ["ingest1", "ingest2", "trace1", "trace2", "query", "show"]]
    for thread in threads: thread.start()
    samples = []
    started = time.time()
    while time.time() < stop:
        time.sleep(15)
        for line in open(f"/proc/{server.pid}/status"):
            if line.startswith("VmRSS:"):
                samples.append((round(time.time() - started), int(line.split()[1]) // 1024))
    for thread in threads: thread.join()
    per_minute = max(1, int(60 / 15))
    first, last = statistics.median(m for _, m in samples[:per_minute]), statistics.median(m for _, m in samples[-per_minute:])
    middle = statistics.median(m for _, m in samples[len(samples) // 2 - per_minute // 2:][:per_minute])
    # The readers' segment caches (256 segments each) fill in the first minutes; after that, memory must stay.
    print(f"memory under a {minutes:g}-minute mixed load ({counts['ingest']} ingest requests = {posted[0]:,} predictions, "
          f"{counts['trace']} traces, {counts['query']} listings, {counts['show']} shows, {counts['errors']} errors): "
          f"RSS first minute {first:.0f} MB, middle minute {middle:.0f} MB, last minute {last:.0f} MB; "
          f"second half grew {last / middle:.2f}x")
    print("  samples (s, MB): " + " ".join(f"{t}:{m}" for t, m in samples))
    if out:
        json.dump({"minutes": minutes, "counts": counts, "predictions": posted[0], "samples": samples, "secondHalfGrowth": last / middle}, open(out, "w"), indent=2)
finally:
    if server:
        server.terminate()
        server.wait(timeout=60)
    shutil.rmtree(work, ignore_errors=True)

#!/usr/bin/env python3
"""Every page at an agency's size (issue 18, point 4).

Run by scripts/bench/scale.sh (which builds the release binary and installs wrk). For each
backend: a fresh database filled by `hirecast demo --scale N` (SCALE, 1,000,000 candidates by
default: 10,000 openings, 1.5M applications, 0.5M replies, 3M shortlist entries, 50,000 in the
first opening), `hirecast serve` pinned to core 0 with its workers off, and wrk on core 1
(CONNECTIONS, 2 by default, for SECONDS_PER_RUN each) on every recruiter, manager, public and
API page, signed in as an admin. Prints per page the p99 and median latency, req/s, the bytes,
and serve's peak RSS (VmHWM) after all pages; then runs one daily retention purge through a
real `hirecast worker` (HIRECAST_RETENTION_UNSUCCESSFUL_DAYS=RETENTION_DAYS, 500 by default:
about 1% of the people are due, a heavy day) and prints its time, the people removed and the
worker's peak RSS. Not part of the test command: it measures.
"""
import http.cookiejar
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "hirecast")
SCALE = int(os.environ.get("SCALE", "1000000"))
SECONDS = int(os.environ.get("SECONDS_PER_RUN", "5"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "2"))
SERVER_CORE = os.environ.get("SERVER_CORE", "0")
LOAD_CORE = os.environ.get("LOAD_CORE", "1")
PG_ADMIN = os.environ.get("PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
BACKENDS = os.environ.get("BACKENDS", "sqlite,postgres").split(",")
RETENTION_DAYS = os.environ.get("RETENTION_DAYS", "500")
PAGES_ONLY = os.environ.get("PAGES", "")
PORT = 18090
TARGET_MS = 100.0
BIG = "5ca1e000-0000-4000-8000-000000000001"
PERSON = "5ca1e001-0000-4000-8000-000000000001"
PERSON2 = "5ca1e001-0000-4000-8000-000000000002"
ADMIN, PASSWORD = "bench-admin@example.org", "bench-password-long-enough"


def run(cmd, env=None, **kw):
    return subprocess.run(cmd, env=env, check=True, **kw)


def wait_up(url):
    for _ in range(600):
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.1)
    sys.exit(f"{url} did not answer")


def vm(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def wrk(url, headers):
    hs = []
    for k, v in headers.items():
        hs += ["-H", f"{k}: {v}"]
    out = subprocess.run(
        ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--timeout", "10s", "--latency", *hs, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def pct(p):
        m = re.search(rf"^\s*{p}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * scale[m.group(2)] if m else float("nan")

    errors = "Non-2xx" in out or "Socket errors" in out
    return pct(50), pct(99), float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), errors


def bench(backend, work):
    env = dict(os.environ)
    data = os.path.join(work, backend)
    os.makedirs(data, exist_ok=True)
    env.update(
        HIRECAST_BIND=f"127.0.0.1:{PORT}",
        HIRECAST_BASE_URL=f"http://127.0.0.1:{PORT}",
        HIRECAST_RUN_WORKERS="false",
        HIRECAST_DATA_DIR=data,
        HIRECAST_LOG="warn",
        HIRECAST_RETENTION_UNSUCCESSFUL_DAYS=RETENTION_DAYS,
    )
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite://{os.path.join(data, 'hirecast.db')}"
    else:
        db = f"hirecast_scale_{os.getpid()}"
        run(["psql", PG_ADMIN, "-q", "-c", f"DROP DATABASE IF EXISTS {db}", "-c", f"CREATE DATABASE {db}"])
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + db
    print(f"\n## {backend}, --scale {SCALE}", flush=True)
    if backend == "sqlite" and os.path.exists(os.path.join(data, "hirecast.db")):
        # WORK=dir keeps the SQLite database between runs: its rows are reused as they are.
        print(f"generator: skipped, reusing {data}", flush=True)
    else:
        t0 = time.monotonic()
        out = run([BIN, "demo", "--scale", str(SCALE)], env=env, capture_output=True, text=True).stdout
        print(f"generator: {time.monotonic() - t0:.0f} s; {out.strip().splitlines()[-1]}", flush=True)
        run([BIN, "user", "add", "--email", ADMIN, "--role", "admin", "--password-stdin"], env=env, input=PASSWORD, text=True, stdout=subprocess.DEVNULL)

    serve = subprocess.Popen(["taskset", "-c", SERVER_CORE, BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        base = f"http://127.0.0.1:{PORT}"
        wait_up(base + "/healthz")
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        opener.open(base + "/login", urllib.parse.urlencode({"email": ADMIN, "password": PASSWORD, "next": "/app"}).encode()).read()
        cookie = "; ".join(f"{c.name}={c.value}" for c in jar)
        assert cookie, "sign-in gave no session cookie"
        page = opener.open(base + "/app/settings/tokens", urllib.parse.urlencode([("name", "bench"), ("scope", "candidates:read"), ("scope", "openings:read")]).encode()).read().decode()
        token = re.search(r"\b(hc_[A-Za-z0-9_-]{20,})", page)
        token = token.group(1) if token else None
        jobs = urllib.request.urlopen(base + "/jobs").read()
        slug = re.search(rb'href="/jobs/([a-z0-9-]+)"', jobs).group(1).decode()
        app = {"Cookie": cookie}
        pages = [
            ("dashboard", "/app", app),
            ("openings", "/app/openings", app),
            ("openings?q", "/app/openings?q=rust", app),
            ("opening", f"/app/openings/{BIG}", app),
            ("review", f"/app/openings/{BIG}/review", app),
            ("review filtered", f"/app/openings/{BIG}/review?stage=all&min=50&q=martin&sort=newest", app),
            ("review page 40", f"/app/openings/{BIG}/review?sort=name&page=40", app),
            ("candidate", f"/app/openings/{BIG}/candidates/{PERSON}", app),
            ("compare", f"/app/openings/{BIG}/review/compare?c={PERSON}&c={PERSON2}", app),
            ("privacy", "/app/privacy", app),
            ("privacy person", f"/app/privacy/candidates/{PERSON}", app),
            ("api candidates", f"/api/v1/openings/{BIG}/candidates", {"Authorization": f"Bearer {token}"} if token else None),
            ("jobs?q", "/jobs?q=dev", {}),
            ("job", f"/jobs/{slug}", {}),
            ("sitemap", "/sitemap.xml", {}),
            ("rss", "/jobs/feed.rss", {}),
            ("atom", "/jobs/feed.atom", {}),
            ("json feed", "/jobs/feed.json", {}),
            # Last: where a page takes minutes, the server is still busy with it afterwards.
            ("analytics one", f"/app/analytics?opening={BIG}", app),
            ("analytics", "/app/analytics", app),
        ]
        if PAGES_ONLY:
            pages = [p for p in pages if p[0] in PAGES_ONLY.split(",")]
        print(f"{'page':16} {'bytes':>8} {'first ms':>9} {'p50 ms':>8} {'p99 ms':>8} {'req/s':>7}  target p99 ≤ {TARGET_MS:.0f} ms", flush=True)
        for name, path, headers in pages:
            if headers is None:
                print(f"{name:16} no API token could be made", flush=True)
                continue
            req = urllib.request.Request(base + path, headers=headers)
            t = time.monotonic()
            try:
                with urllib.request.urlopen(req, timeout=120) as r:
                    body, status = r.read(), r.status
            except urllib.error.HTTPError as e:
                body, status = e.read(), e.code
            except OSError as e:
                print(f"{name:16} no answer within 120 s ({e})", flush=True)
                continue
            first = (time.monotonic() - t) * 1000
            if status != 200:
                print(f"{name:16} HTTP {status} on {path}: {body[:200]!r}", flush=True)
                continue
            p50, p99, rps, errors = wrk(base + path, headers)
            verdict = "met" if p99 <= TARGET_MS and rps > 0 and not errors else "NOT met"
            print(f"{name:16} {len(body):8} {first:9.1f} {p50:8.2f} {p99:8.2f} {rps:7.1f}  {verdict}{' (errors)' if errors else ''}  peak rss {vm(serve.pid, 'VmHWM'):.0f} MB", flush=True)
        print(f"serve: peak RSS {vm(serve.pid, 'VmHWM'):.0f} MB (target ≤ 100 MB), now {vm(serve.pid, 'VmRSS'):.0f} MB", flush=True)
    finally:
        serve.send_signal(signal.SIGTERM)
        try:
            serve.wait(timeout=20)
        except subprocess.TimeoutExpired:
            serve.kill()

    # The daily purge, as the worker runs it when it starts (no run in the last 24 h).
    if os.environ.get("PURGE", "1") == "1":
        count = (
            ["python3", "-c", "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])", os.path.join(data, "hirecast.db")]
            if backend == "sqlite"
            else ["psql", env["DATABASE_URL"], "-tAc"]
        )
        q = lambda s: run(count + [s], capture_output=True, text=True).stdout.strip()
        before = int(q("SELECT COUNT(*) FROM candidates"))
        t0 = time.monotonic()
        worker = subprocess.Popen(["taskset", "-c", SERVER_CORE, BIN, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        peak = 0.0
        try:
            while time.monotonic() - t0 < 3600:
                if q("SELECT COUNT(*) FROM purge_runs WHERE reason = 'retention'") != "0":
                    break
                peak = max(peak, vm(worker.pid, "VmHWM"))
                time.sleep(0.5)
            took = time.monotonic() - t0
            peak = max(peak, vm(worker.pid, "VmHWM"))
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(timeout=30)
        after = int(q("SELECT COUNT(*) FROM candidates"))
        print(f"daily purge (unsuccessful kept {RETENTION_DAYS} days): {before - after} people removed of {before} in {took:.1f} s "
              f"(from the worker's start), worker peak RSS {peak:.0f} MB", flush=True)
    if backend == "postgres":
        run(["psql", PG_ADMIN, "-q", "-c", f"DROP DATABASE IF EXISTS {db}"])


def main():
    if os.environ.get("WORK"):
        os.makedirs(os.environ["WORK"], exist_ok=True)
        for b in BACKENDS:
            bench(b, os.environ["WORK"])
        return
    with tempfile.TemporaryDirectory(prefix="hirecast-scale-") as work:
        for b in BACKENDS:
            bench(b, work)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Public pages against an actix-web hello world returning the same bytes (issue 18, point 3).

Run by scripts/bench/pages.sh (which builds the release binaries). For each backend (SQLite,
then PostgreSQL): a fresh database with the demo company and 100+ live openings, `hirecast
serve` and the reference `hello_bytes` both pinned to core 0, the load (wrk, also for the
latency at half the saturating rate, paced by wrk's Lua `delay`) pinned to core 1. Each page is measured in interleaved
rounds (hirecast then reference, the order swapped every round); the ratio of each round is
hirecast's req/s over the reference's, and the medians and ranges of the rounds are printed.
Not part of the test command: it measures, it does not pass or fail.
"""
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "hirecast")
HELLO = os.path.join(ROOT, "target", "release", "examples", "hello_bytes")
ROUNDS = int(os.environ.get("ROUNDS", "5"))
SECONDS = int(os.environ.get("SECONDS_PER_RUN", "4"))
CONNECTIONS = int(os.environ.get("CONNECTIONS", "16"))
SERVER_CORE = os.environ.get("SERVER_CORE", "0")
LOAD_CORE = os.environ.get("LOAD_CORE", "1")
PG_ADMIN = os.environ.get("PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
BACKENDS = os.environ.get("BACKENDS", "sqlite,postgres").split(",")
PORT, HELLO_PORT = 18080, 18081

# What the issue asks, as a share of the reference's req/s.
TARGETS = {
    "sqlite": {"job": 0.30, "jobs": 0.20, "jobs?q": 0.20, "rss": 0.20, "atom": 0.20, "json": 0.20, "sitemap": 0.20},
    "postgres": {"job": 0.20, "jobs": 0.20, "jobs?q": 0.20, "rss": 0.20, "atom": 0.20, "json": 0.20, "sitemap": 0.20},
}

COLUMNS = (
    "id, slug, title, company, department, city, country, remote_policy, employment_type, salary_min, salary_max, "
    "salary_currency, salary_period, required_skills, nice_skills, language, description_md, status, valid_through, "
    "created_by, created_at, updated_at, published_at, closed_at, response_target_minutes, shortlist_threshold, "
    "scorecard_criteria, description_html, description_text"
)


def more_openings_sql(copies):
    """Copies of the demo's openings (open ones, so the lists and feeds are full)."""
    out = []
    for n in range(copies):
        cols = COLUMNS.split(", ")
        select = ", ".join(
            f"id || '-b{n}'" if c == "id" else f"slug || '-b{n}'" if c == "slug" else f"title || ' {n}'" if c == "title" else c
            for c in cols
        )
        out.append(f"INSERT INTO openings ({COLUMNS}) SELECT {select} FROM openings WHERE status = 'open' AND id NOT LIKE '%-b%';")
    return "\n".join(out)


def run(cmd, env=None, **kw):
    return subprocess.run(cmd, env=env, check=True, **kw)


def wait_up(url):
    for _ in range(200):
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return
        except Exception:
            pass
        time.sleep(0.05)
    sys.exit(f"{url} did not answer")


def fetch(url):
    with urllib.request.urlopen(url, timeout=5) as r:
        return r.headers.get("content-type"), r.read()


def wrk(url):
    out = subprocess.run(
        ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{CONNECTIONS}", f"-d{SECONDS}s", url], capture_output=True, text=True, check=True
    ).stdout
    if "Non-2xx" in out:
        sys.exit(f"wrk saw errors on {url}:\n{out}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


DELAY_LUA = "function delay()\n  return 1\nend\n"


def paced_p99(url, rate, work):
    """p99 latency at about `rate` req/s: wrk with a 1 ms pause after each answer on each
    connection (its Lua `delay`), with as many connections as that rate needs."""
    script = os.path.join(work, "delay.lua")
    with open(script, "w") as f:
        f.write(DELAY_LUA)
    conns = max(1, round(rate / 1000))
    out = subprocess.run(
        ["taskset", "-c", LOAD_CORE, "wrk", "-t1", f"-c{conns}", f"-d{SECONDS}s", "--latency", "-s", script, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    m = re.search(r"^\s*99%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    p99 = float(m.group(1)) * scale[m.group(2)] if m else float("nan")
    return p99, float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def spread(xs):
    return f"{statistics.median(xs):8.0f} [{min(xs):.0f}–{max(xs):.0f}]"


def bench(backend, work):
    env = dict(os.environ)
    env.update(
        HIRECAST_BIND=f"127.0.0.1:{PORT}",
        HIRECAST_BASE_URL=f"http://127.0.0.1:{PORT}",
        HIRECAST_WORKERS="1",
        HIRECAST_RUN_WORKERS="false",
        HIRECAST_DATA_DIR=os.path.join(work, backend),
        HIRECAST_LOG="warn",
    )
    if backend == "sqlite":
        env["DATABASE_URL"] = f"sqlite://{os.path.join(work, backend, 'hirecast.db')}"
        sql = lambda q: run(["python3", "-c", "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.executescript(sys.argv[2]); c.commit()",
                             os.path.join(work, backend, "hirecast.db"), q])
    else:
        db = f"hirecast_bench_{os.getpid()}"
        run(["psql", PG_ADMIN, "-q", "-c", f"DROP DATABASE IF EXISTS {db}", "-c", f"CREATE DATABASE {db}"])
        env["DATABASE_URL"] = PG_ADMIN.rsplit("/", 1)[0] + "/" + db
        sql = lambda q: run(["psql", env["DATABASE_URL"], "-q", "-v", "ON_ERROR_STOP=1", "-c", q])
    os.makedirs(env["HIRECAST_DATA_DIR"], exist_ok=True)
    run([BIN, "migrate"], env=env, stdout=subprocess.DEVNULL)
    run([BIN, "demo"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sql(more_openings_sql(12))

    serve = subprocess.Popen(["taskset", "-c", SERVER_CORE, BIN, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    hello = None
    try:
        base = f"http://127.0.0.1:{PORT}"
        wait_up(base + "/healthz")
        _, jobs = fetch(base + "/jobs")
        slug = re.search(rb'href="/jobs/([a-z0-9-]+)"', jobs).group(1).decode()
        pages = {
            "job": f"/jobs/{slug}",
            "jobs": "/jobs",
            "jobs?q": "/jobs?q=dev",
            "rss": "/jobs/feed.rss",
            "atom": "/jobs/feed.atom",
            "json": "/jobs/feed.json",
            "sitemap": "/sitemap.xml",
        }
        args, sizes = [], {}
        for name, path in pages.items():
            ct, body = fetch(base + path)
            f = os.path.join(work, f"{backend}-{len(args)}.bin")
            with open(f, "wb") as fh:
                fh.write(body)
            sizes[name] = len(body)
            args.append(f"p{len(args)}={f}:{ct}")
        hello = subprocess.Popen(["taskset", "-c", SERVER_CORE, HELLO, f"127.0.0.1:{HELLO_PORT}", *args])
        ref = {name: f"http://127.0.0.1:{HELLO_PORT}/p{i}" for i, name in enumerate(pages)}
        wait_up(ref["job"])
        ours, theirs, ratios = ({n: [] for n in pages} for _ in range(3))
        for r in range(ROUNDS):
            for name, path in pages.items():
                pair = [("ours", base + path), ("ref", ref[name])]
                if r % 2:
                    pair.reverse()
                got = {who: wrk(url) for who, url in pair}
                ours[name].append(got["ours"])
                theirs[name].append(got["ref"])
                ratios[name].append(got["ours"] / got["ref"])
            print(f"  {backend}: round {r + 1}/{ROUNDS} done", file=sys.stderr)
        print(f"\n## {backend} ({ROUNDS} rounds of {SECONDS}s, {CONNECTIONS} connections, server on core {SERVER_CORE}, load on core {LOAD_CORE})")
        print(f"{'page':8} {'bytes':>7} {'hirecast req/s [range]':>24} {'hello world req/s':>24} {'ratio [range]':>18} {'target':>6}  "
              f"p99 at half hirecast's rate: hirecast / hello world")
        for name, path in pages.items():
            rq = statistics.median(ours[name])
            p99, achieved = paced_p99(base + path, rq / 2, work)
            ref99, ref_achieved = paced_p99(ref[name], rq / 2, work)
            t = TARGETS[backend][name]
            rm = statistics.median(ratios[name])
            print(f"{name:8} {sizes[name]:7} {spread(ours[name]):>24} {spread(theirs[name]):>24} "
                  f"{rm:6.1%} [{min(ratios[name]):.1%}–{max(ratios[name]):.1%}] {t:6.0%} {'met' if rm >= t else 'NOT met'}  "
                  f"{p99:6.2f} ms at {achieved:.0f}/s / {ref99:.2f} ms at {ref_achieved:.0f}/s")
    finally:
        for p in (serve, hello):
            if p:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
        if backend == "postgres":
            subprocess.run(["psql", PG_ADMIN, "-q", "-c", f"DROP DATABASE IF EXISTS hirecast_bench_{os.getpid()} WITH (FORCE)"])


def main():
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is missing: scripts/bench/pages.sh installs it")
    work = tempfile.mkdtemp(prefix="hirecast-bench-")
    try:
        for b in BACKENDS:
            bench(b, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

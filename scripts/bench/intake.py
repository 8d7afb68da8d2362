#!/usr/bin/env python3
"""The intake under a burst (issue 18, point 1): applications filed, scored and acknowledged.

Run by scripts/bench/intake.sh (which builds the release binary). For each backend: a fresh
database with the demo company, a real SMTP peer (aiosmtpd, on core 1), `hirecast worker`
pinned to core 0. A burst of BURST applications (rows as the apply form writes them: a
candidate, their email identity, the application with its message) is committed in one
transaction; the clock starts at that commit. The database is polled for the applications
read and the acknowledgements sent (`candidate_messages.state = 'sent'`, accepted by the SMTP
peer). Printed per run: the time to the last acknowledgement, the rate over the whole burst,
and the steady rate between 10% and 90% of it. Not part of the test command.
"""
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.join(ROOT, "target", "release", "hirecast")
BURST = int(os.environ.get("BURST", "10000"))
RUNS = int(os.environ.get("RUNS", "2"))
CONCURRENCY = os.environ.get("HIRECAST_WORKER_CONCURRENCY", "4")  # the product default
SERVER_CORE = os.environ.get("SERVER_CORE", "0")
LOAD_CORE = os.environ.get("LOAD_CORE", "1")
PG_ADMIN = os.environ.get("PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
BACKENDS = os.environ.get("BACKENDS", "sqlite,postgres").split(",")
NOTICE = "2026-11-22.1"
MESSAGES = [
    "Bonjour, développeuse Rust depuis 5 ans (Tokio, PostgreSQL, Docker), disponible rapidement.",
    "Hello, backend engineer: Rust, Go, Kubernetes, AWS. Happy to talk.",
    "Développeur Python et Django, 3 ans d'expérience, je découvre Rust.",
]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Db:
    def __init__(self, backend, work):
        self.backend = backend
        if backend == "sqlite":
            self.path = os.path.join(work, "hirecast.db")
            self.url = f"sqlite://{self.path}"
        else:
            self.name = f"hirecast_intake_{os.getpid()}"
            subprocess.run(["psql", PG_ADMIN, "-q", "-c", f"DROP DATABASE IF EXISTS {self.name}", "-c", f"CREATE DATABASE {self.name}"], check=True)
            self.url = PG_ADMIN.rsplit("/", 1)[0] + "/" + self.name

    def script(self, sql):
        if self.backend == "sqlite":
            c = sqlite3.connect(self.path, timeout=30)
            c.executescript(sql)
            c.commit()
            c.close()
        else:
            subprocess.run(["psql", self.url, "-q", "-v", "ON_ERROR_STOP=1"], input=sql, text=True, check=True, stdout=subprocess.DEVNULL)

    def value(self, sql):
        if self.backend == "sqlite":
            c = sqlite3.connect(self.path, timeout=30)
            v = c.execute(sql).fetchone()[0]
            c.close()
            return v
        out = subprocess.run(["psql", self.url, "-tAq", "-c", sql], capture_output=True, text=True, check=True).stdout.strip()
        return int(out or 0)

    def drop(self):
        if self.backend == "postgres":
            subprocess.run(["psql", PG_ADMIN, "-q", "-c", f"DROP DATABASE IF EXISTS {self.name} WITH (FORCE)"])


def burst_sql(opening_ids, n, tag, at):
    q = lambda s: "'" + s.replace("'", "''") + "'"
    rows_c, rows_i, rows_a = [], [], []
    for i in range(n):
        cid, aid = str(uuid.uuid4()), str(uuid.uuid4())
        email = f"b{tag}-{i}@example.org"
        rows_c.append(f"({q(cid)}, {q(email)}, {q(f'Candidate {tag} {i}')}, {q(at)}, {q(at)}, '[]')")
        rows_i.append(f"('email', {q(email)}, {q(cid)}, {q(at)})")
        rows_a.append(
            f"({q(aid)}, {q(opening_ids[i % len(opening_ids)])}, {q(cid)}, {q(f'bench-{tag}-{i}')}, 'apply_form', "
            f"{q(MESSAGES[i % len(MESSAGES)])}, {q(NOTICE)}, {q('fr' if i % 2 else 'en')}, {q(at)}, {q(at)}, false)"
        )
    chunks = []
    for start in range(0, n, 500):
        chunks.append("INSERT INTO candidates (id, email, name, created_at, updated_at, languages) VALUES " + ",".join(rows_c[start:start + 500]) + ";")
        chunks.append("INSERT INTO candidate_identities (kind, value, candidate_id, created_at) VALUES " + ",".join(rows_i[start:start + 500]) + ";")
        chunks.append(
            "INSERT INTO applications (id, opening_id, candidate_id, submission_key, source, message, consent_version, consent_language, "
            "consent_at, created_at, talent_pool) VALUES " + ",".join(rows_a[start:start + 500]) + ";"
        )
    return "BEGIN;\n" + "\n".join(chunks) + "\nCOMMIT;\n"


def one_run(db, env, opening_ids, tag):
    before_sent = db.value("SELECT COUNT(*) FROM candidate_messages WHERE kind = 'ack' AND state = 'sent'")
    at = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime())
    sql = burst_sql(opening_ids, BURST, tag, at)
    db.script(sql)
    t0 = time.monotonic()
    marks = {}
    while True:
        sent = db.value("SELECT COUNT(*) FROM candidate_messages WHERE kind = 'ack' AND state = 'sent'") - before_sent
        pending = db.value("SELECT COUNT(*) FROM applications WHERE ingested_at IS NULL")
        t = time.monotonic() - t0
        if os.environ.get("VERBOSE"):
            print(f"  {t:6.1f}s: {BURST - pending} read, {sent} acknowledged", file=sys.stderr)
        for share in (0.1, 0.9):
            if share not in marks and sent >= share * BURST:
                marks[share] = t
        if sent >= BURST:
            return t, BURST / t, (0.8 * BURST) / (marks[0.9] - marks[0.1]) if marks[0.9] > marks[0.1] else float("nan")
        if t > 1800:
            sys.exit(f"gave up after {t:.0f}s: {sent} acknowledgements sent, {pending} applications waiting")
        time.sleep(0.25)


def bench(backend, work):
    db = Db(backend, work)
    smtp_port = free_port()
    smtp = subprocess.Popen(
        ["taskset", "-c", LOAD_CORE, sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{smtp_port}", "-c", "aiosmtpd.handlers.Sink"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = dict(os.environ)
    env.update(
        DATABASE_URL=db.url,
        HIRECAST_DATA_DIR=os.path.join(work, "data"),
        HIRECAST_SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        HIRECAST_WORKER_CONCURRENCY=CONCURRENCY,
        HIRECAST_WORKER_POLL_MS="100",
        HIRECAST_LOG="warn",
    )
    worker = None
    try:
        subprocess.run([BIN, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([BIN, "demo"], env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        ids = []
        if backend == "sqlite":
            c = sqlite3.connect(db.path)
            ids = [r[0] for r in c.execute("SELECT id FROM openings WHERE status = 'open'")]
            c.close()
        else:
            out = subprocess.run(["psql", db.url, "-tAq", "-c", "SELECT id FROM openings WHERE status = 'open'"], capture_output=True, text=True, check=True).stdout
            ids = [l for l in out.split() if l]
        worker = subprocess.Popen(["taskset", "-c", SERVER_CORE, BIN, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The demo's own applications go through first.
        for _ in range(600):
            if db.value("SELECT COUNT(*) FROM applications WHERE ingested_at IS NULL") == 0:
                break
            time.sleep(0.2)
        time.sleep(2)
        results = [one_run(db, env, ids, f"{backend[0]}{r}") for r in range(RUNS)]
        print(f"\n## {backend}: bursts of {BURST} applications, {RUNS} runs, worker on core {SERVER_CORE} "
              f"(concurrency {CONCURRENCY}), SMTP peer on core {LOAD_CORE}")
        for i, (t, rate, steady) in enumerate(results):
            print(f"run {i + 1}: last acknowledgement after {t:6.1f} s; {rate:6.1f} applications/s over the burst, {steady:6.1f}/s steady (10%–90%)")
        rates = [r for _, r, _ in results]
        print(f"median {statistics.median(rates):.1f}/s [{min(rates):.1f}–{max(rates):.1f}]; "
              f"target ≥ 200/s: {'met' if statistics.median(rates) >= 200 else 'NOT met'}; "
              f"last acknowledgement ≤ 120 s: {'met' if max(t for t, _, _ in results) <= 120 else 'NOT met'}")
    finally:
        for p in (worker, smtp):
            if p:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
        db.drop()


def main():
    try:
        import aiosmtpd  # noqa: F401
    except ImportError:
        sys.exit("aiosmtpd is missing: scripts/bench/intake.sh installs it")
    for b in BACKENDS:
        work = tempfile.mkdtemp(prefix="hirecast-intake-")
        try:
            bench(b, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

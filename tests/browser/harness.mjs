// Starts a real hirecast (fresh SQLite in a temp folder) and Debian's Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const artifacts = new URL('./artifacts/', import.meta.url).pathname;

/** Runs `hirecast serve` on a free port; resolves with its base URL and the first-admin link it prints. */
export async function startHirecast(extraEnv = {}) {
  const bin = process.env.HIRECAST_BIN;
  if (!bin) throw new Error('HIRECAST_BIN must point at the built hirecast binary');
  const dir = mkdtempSync(join(tmpdir(), 'hirecast-browser-'));
  const child = spawn(bin, ['serve'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      HIRECAST_BIND: '127.0.0.1:0',
      DATABASE_URL: `sqlite://${dir}/hirecast.db`,
      HIRECAST_DATA_DIR: join(dir, 'data'),
      HIRECAST_LOG: 'info',
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stderr.on('data', (chunk) => { logs += chunk; });
  const setupLink = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no setup link printed; got: ${out}`)), 60_000);
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/(http:\/\/127\.0\.0\.1:\d+\/setup\/\S+)/);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.on('exit', (code) => reject(new Error(`hirecast exited with ${code}: ${out}`)));
  });
  const base = setupLink.split('/setup/')[0];
  return {
    base,
    setupLink,
    /** Everything the service logged so far (stderr). */
    logs: () => logs,
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startBrowser() {
  mkdirSync(artifacts, { recursive: true });
  const userDataDir = mkdtempSync(join(tmpdir(), 'hirecast-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    locale: 'en-US',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** aiosmtpd (tests/peers/smtp) on a free port, delivering into a Maildir; resolves once it listens. */
export async function startSmtp() {
  const { createServer, connect } = await import('node:net');
  const { readdirSync, readFileSync } = await import('node:fs');
  const port = await new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const p = srv.address().port; srv.close(() => resolve(p)); });
  });
  // aiosmtpd makes the Maildir (cur, new, tmp) only when the folder does not exist yet.
  const root = mkdtempSync(join(tmpdir(), 'hirecast-smtp-'));
  const maildir = join(root, 'maildir');
  const python = process.env.HIRECAST_TEST_PYTHON || 'python3';
  const peers = new URL('../peers/smtp', import.meta.url).pathname;
  const child = spawn(python, ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'hirecast_smtp.TestMailbox', maildir], {
    env: { ...process.env, PYTHONPATH: peers }, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr.on('data', (c) => { err += c; });
  for (let i = 0; i < 200; i++) {
    const ok = await new Promise((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) break;
    if (child.exitCode !== null) throw new Error(`aiosmtpd exited: ${err}`);
    await new Promise((r) => setTimeout(r, 50));
    if (i === 199) throw new Error(`aiosmtpd did not listen: ${err}`);
  }
  const messages = () => {
    const dir = join(maildir, 'new');
    let files = [];
    try { files = readdirSync(dir); } catch { return []; }
    return files.map((f) => readFileSync(join(dir, f), 'utf8'));
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    logs: () => err,
    messages,
    /** Waits for a message to `to`; resolves with its raw text, quoted-printable soft breaks undone. */
    async waitFor(to, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const m = messages().find((raw) => raw.includes(to));
        if (m) {
          return m.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, h) => String.fromCharCode(parseInt(h, 16)));
        }
        await new Promise((r) => setTimeout(r, 200));
      }
      throw new Error(`no message to ${to}`);
    },
    stop() { child.kill('SIGTERM'); rmSync(root, { recursive: true, force: true }); },
  };
}

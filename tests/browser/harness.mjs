// Starts a real hirecast (fresh SQLite in a temp folder) and Debian's Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const artifacts = new URL('./artifacts/', import.meta.url).pathname;

/** Runs `hirecast serve` on a free port; resolves with its base URL and the first-admin link it prints. */
export async function startHirecast() {
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

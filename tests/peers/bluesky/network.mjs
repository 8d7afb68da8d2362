// A full local Bluesky network (PLC, PDS, AppView on the local PostgreSQL and Redis) for
// hirecast's sourcing tests: replies and profiles are read through the AppView, as on
// bsky.app. Prints ONE JSON line on stdout: {"pds", "plc", "handle", "password", "did"} (the
// recruiter's account). Then reads commands on stdin, one per line:
//   process  -> waits until the AppView has indexed everything, prints "ok"
// and closes the network when stdin ends or on SIGTERM/SIGINT.
// Needs Node >= 22, DB_POSTGRES_URL and REDIS_HOST (see scripts/test.sh).
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';

const out = process.stdout.write.bind(process.stdout);
console.log = console.info = console.debug = (...args) => console.error(...args);

const { TestNetwork } = await import('@atproto/dev-env');
// The schema name must be letters and underscores only.
const schema = 'hirecast_' + Array.from(randomBytes(8), (b) => String.fromCharCode(97 + (b % 26))).join('');
const net = await TestNetwork.create({ dbPostgresSchema: schema });
const handle = 'recruiter.test';
const password = randomBytes(12).toString('hex');
const res = await fetch(`${net.pds.url}/xrpc/com.atproto.server.createAccount`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ email: 'recruiter@example.test', handle, password }),
});
if (!res.ok) {
  console.error(`createAccount failed: ${res.status} ${await res.text()}`);
  await net.close();
  process.exit(1);
}
const { did } = await res.json();
await net.processAll();
out(JSON.stringify({ pds: net.pds.url, plc: net.plc.url, handle, password, did }) + '\n');

let closing = false;
async function stop() {
  if (closing) return;
  closing = true;
  try {
    await net.close();
  } finally {
    process.exit(0);
  }
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
const lines = createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  if (line.trim() === 'process') {
    await net.processAll();
    out('ok\n');
  }
});
lines.on('close', stop);

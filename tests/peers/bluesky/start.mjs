// A real Bluesky PDS (with its PLC directory), in memory, for hirecast's integration tests.
// Prints ONE JSON line on stdout: {"pds": url, "handle", "password", "did", "plc": the PLC
// directory's url, "expired_access_jwt": an access token for the account, signed by this PDS
// but already expired (to test session refresh)}, then stays up
// until stdin closes or SIGTERM/SIGINT, and closes the network cleanly.
// Needs Node >= 22 (see scripts/test.sh).
import { randomBytes } from 'node:crypto';

// Library chatter goes to stderr: stdout carries only the JSON line the tests read.
const out = process.stdout.write.bind(process.stdout);
console.log = console.info = console.debug = (...args) => console.error(...args);

const { TestNetworkNoAppView } = await import('@atproto/dev-env');

const net = await TestNetworkNoAppView.create({});
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
// Signed like the PDS's own access tokens (HS256 with its JWT secret), expired a minute ago.
const { SignJWT } = await import('jose');
const now = Math.floor(Date.now() / 1000);
const expiredAccessJwt = await new SignJWT({ scope: 'com.atproto.access' })
  .setProtectedHeader({ typ: 'at+jwt', alg: 'HS256' })
  .setAudience(net.pds.ctx.cfg.service.did)
  .setSubject(did)
  .setIssuedAt(now - 7200)
  .setExpirationTime(now - 60)
  .sign(net.pds.jwtSecretKey());
out(JSON.stringify({ pds: net.pds.url, handle, password, did, plc: net.plc.url, expired_access_jwt: expiredAccessJwt }) + '\n');

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
process.stdin.on('end', stop);
process.stdin.on('close', stop);
process.stdin.resume();

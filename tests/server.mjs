// The real server binary on a fresh SQLite database with the bundled data, for the Node
// tests (tests/browser/, tests/examples/). No npm packages.
//
// The binary is $SOUTHGRAPH_BINARY, else $CARGO_TARGET_DIR/debug/southgraph
// (target/debug/southgraph by default).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root. */
export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binary = process.env.SOUTHGRAPH_BINARY
  ?? join(process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target'), 'debug', 'southgraph');
/** How long the first start (which imports the bundled data) may take. */
export const STARTUP_MS = 120_000;

/** A port that was free a moment ago. */
function freePort() {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.on('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => ok(port));
    });
  });
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** Runs "$0 serve" and stops it (SIGTERM) when stdin reaches its end; exits with the server. */
const WATCHDOG = `
exec 3<&0
"$0" serve </dev/null &
server=$!
(read -r _ <&3; kill "$server" 2>/dev/null) &
wait "$server"
`;

/**
 * Starts the binary on a free port and waits for /health to answer 200 (the first start
 * imports the data). Returns `{ origin, endpoint, stop }`.
 */
export async function startServer() {
  if (!existsSync(binary)) throw new Error(`no server binary at ${binary}: run cargo build, or set SOUTHGRAPH_BINARY`);
  const workdir = await mkdtemp(join(tmpdir(), 'southgraph-test-'));
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let log = '';
  // A small shell runs the server and kills it when our end of its stdin closes: at
  // stop(), and also when this process dies in any way (a signal, a crash, SIGKILL).
  const server = spawn('/bin/sh', ['-c', WATCHDOG, binary], {
    env: {
      ...process.env,
      SOUTHGRAPH_DATABASE_URL: `sqlite://${join(workdir, 'southgraph.db')}?mode=rwc`,
      SOUTHGRAPH_BIND: `127.0.0.1:${port}`,
      SOUTHGRAPH_LOG: process.env.SOUTHGRAPH_LOG ?? 'warn',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  const running = () => server.exitCode === null && server.signalCode === null;
  // On an early exit, do not wait for the watchdog: end the server's process group now.
  process.on('exit', () => {
    if (running()) {
      try { process.kill(-server.pid, 'SIGKILL'); } catch { /* already gone */ }
    }
  });
  const stop = async () => {
    if (running()) {
      const exited = new Promise((ok) => server.once('exit', ok));
      server.stdin.end();
      const timer = setTimeout(() => process.kill(-server.pid, 'SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(workdir, { recursive: true, force: true });
  };
  const keep = (chunk) => { log = (log + chunk).slice(-20_000); };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  const deadline = Date.now() + STARTUP_MS;
  while (Date.now() < deadline) {
    if (!running()) {
      await stop();
      throw new Error(`the server exited (${server.exitCode ?? server.signalCode}):\n${log}`);
    }
    const status = await fetch(`${origin}/health`, { signal: AbortSignal.timeout(5_000) }).then((response) => response.status, () => 0);
    if (status === 200) return { origin, endpoint: `${origin}/graphql`, stop };
    await sleep(250);
  }
  await stop();
  throw new Error(`no 200 from /health within ${STARTUP_MS / 1000} s:\n${log}`);
}

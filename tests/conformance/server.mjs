// Starts the real server binary on a fresh SQLite database in a temporary folder, for the
// conformance tests (not a test file itself: node --test only runs *.test.mjs here).
//
// The binary is $CARGO_TARGET_DIR/debug/southgraph (target/debug/southgraph by default). It
// listens on a port the system picks (SOUTHGRAPH_BIND=127.0.0.1:0); the address is read from
// its "listening on" log line, so two test files never race for a port.
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const binary = join(process.env.CARGO_TARGET_DIR ? resolve(root, process.env.CARGO_TARGET_DIR) : join(root, 'target'), 'debug', 'southgraph');

/** The longest the first start may take: it migrates and imports the bundled data (debug build). */
export const STARTUP_MS = 120_000;
/** The longest one HTTP exchange with the server may take. */
export const REQUEST_MS = 15_000;

/**
 * Runs "$0 serve" and stops it (SIGTERM) when stdin reaches its end; then removes the folder
 * $1 and exits with the server's status. The shell's own messages go nowhere: if this process
 * is gone, a job report written to the dead pipe would kill the shell (SIGPIPE) before rm.
 */
const WATCHDOG = `
exec 3<&0 4>&2 2>/dev/null
"$0" serve </dev/null 2>&4 &
server=$!
(read -r _ <&3; kill "$server" 2>/dev/null) &
wait "$server"
status=$?
rm -rf "$1"
exit "$status"
`;

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));
/** The servers still running, with their folders. */
const running = new Map();

// On an early exit, do not wait for the watchdog: end the servers' process groups now and
// remove their folders.
process.on('exit', () => {
  for (const [child, workdir] of running) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    try { rmSync(workdir, { recursive: true, force: true, maxRetries: 3 }); } catch { /* the watchdog removes it */ }
  }
});

/** `fetch` that gives up after REQUEST_MS. */
export function fetchWithTimeout(input, init = {}) {
  return fetch(input, { ...init, signal: init.signal ?? AbortSignal.timeout(REQUEST_MS) });
}

/**
 * Starts the binary on a new database in a new temporary folder and waits until it listens
 * and /health answers 200. Returns its origin, its /graphql URL, its log and `stop()`, which
 * ends the server and removes the folder.
 */
export async function startServer(name) {
  if (!existsSync(binary)) throw new Error(`no server binary at ${binary}: run cargo build first`);
  const workdir = await mkdtemp(join(tmpdir(), `southgraph-${name}-`));
  let log = '';
  // A small shell runs the server and kills it when our end of its stdin closes: at stop(),
  // and also when this process dies in any way (a signal, a crash, SIGKILL).
  const child = spawn('/bin/sh', ['-c', WATCHDOG, binary, workdir], {
    env: {
      ...process.env,
      SOUTHGRAPH_DATABASE_URL: `sqlite://${join(workdir, `${name}.db`)}?mode=rwc`,
      SOUTHGRAPH_BIND: '127.0.0.1:0',
      // Quiet, but the "listening on" line must stay.
      SOUTHGRAPH_LOG: `${process.env.SOUTHGRAPH_LOG ?? 'warn'},southgraph::cli::serve=info`,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  });
  running.set(child, workdir);
  const keep = (chunk) => { log = (log + chunk).slice(-50_000); };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((ok) => child.once('exit', ok)).then(() => running.delete(child));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin.end();
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, 10_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(workdir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + STARTUP_MS;
    let origin;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the server exited (${child.exitCode ?? child.signalCode}):\n${log}`);
      }
      origin ??= log.match(/listening on (http:\/\/[^/\s]+)\//)?.[1];
      if (origin) {
        const status = await fetchWithTimeout(`${origin}/health`).then((response) => response.status, () => 0);
        if (status === 200) {
          return { origin, url: `${origin}/graphql`, log: () => log, stop };
        }
      }
      await sleep(250);
    }
    throw new Error(`the server did not listen and answer /health within ${STARTUP_MS / 1000} s:\n${log}`);
  } catch (error) {
    await stop();
    throw error;
  }
}

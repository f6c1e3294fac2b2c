/**
 * The embedded AWS emulator: moto's server, started through this project's
 * launcher (tools/sandbox/moto_launcher.py, which corrects the moto
 * behaviours listed in tools/sandbox/emulator-gaps.ts) on a free loopback port,
 * with TLS, and stopped again however the process ends — unless kept.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { onCleanup } from '../lib/cleanup';
import { isAlive, killTree } from '../lib/processes';

const LAUNCHER = resolve(__dirname, 'moto_launcher.py');
export const INSTALL_HINT = 'moto is not installed: pip install "moto[server]"';

export interface Emulator {
  /** `https://127.0.0.1:<port>` */
  readonly endpoint: string;
  readonly port: number;
  readonly pid: number;
  /** Where the emulator writes its request log. */
  readonly logFile: string;
  stop(): Promise<void>;
  /** Leaves the emulator running after this process exits. */
  keep(): void;
}

export class EmulatorMissingError extends Error {
  constructor() {
    super(INSTALL_HINT);
    this.name = 'EmulatorMissingError';
  }
}

/** The Python that can import moto's server; MOTO_PYTHON overrides. */
export function findMotoPython(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.MOTO_PYTHON, 'python3', 'python'].filter((c): c is string => Boolean(c));
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import moto.server'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  throw new EmulatorMissingError();
}

/** The ids of the corrections the launcher applies to moto. */
export function launcherCorrections(python = findMotoPython()): string[] {
  const listed = spawnSync(python, [LAUNCHER, '--list'], { encoding: 'utf8' });
  if (listed.status !== 0) throw new Error(`${LAUNCHER} --list failed: ${listed.stderr}`);
  return JSON.parse(listed.stdout) as string[];
}

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolvePort(address.port) : reject(new Error('no port'))));
    });
  });
}

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolveFree) => {
    const server = createServer();
    server.once('error', () => resolveFree(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolveFree(true)));
  });
}

/** HTTP status of a GET to the emulator (its certificate is self-signed). */
function statusOf(url: string): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    const req = request(url, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolveStatus(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

function tail(file: string): string {
  return existsSync(file) ? readFileSync(file, 'utf8').slice(-3000) : '';
}

export interface StartOptions {
  /** Port to try first; a busy one is replaced by a free one. */
  readonly port?: number;
  /** Directory for the emulator's log. @default a temp dir removed on stop */
  readonly logDir?: string;
  readonly startTimeoutMs?: number;
}

/** Starts the emulator; a busy or failing port is replaced by a free one. */
export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const python = findMotoPython();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    const wanted = attempt === 0 ? options.port : undefined;
    const port = wanted && (await isPortFree(wanted)) ? wanted : await freePort();
    try {
      return await launch(python, port, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function launch(python: string, port: number, options: StartOptions): Promise<Emulator> {
  const endpoint = `https://127.0.0.1:${port}`;
  const ownDir = options.logDir ? undefined : mkdtempSync(join(tmpdir(), 'moto-'));
  const logFile = join(options.logDir ?? (ownDir as string), `emulator-${port}.log`);
  // A file, not a pipe: a kept emulator must be able to log after this process is gone.
  const log = openSync(logFile, 'w');
  const child = spawn(python, [LAUNCHER, '127.0.0.1', String(port)], {
    detached: true,
    stdio: ['ignore', log, log],
    env: {
      ...process.env,
      // AWS-managed policies (AmazonSSMManagedInstanceCore) exist in every account.
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      // ACM issues DNS-validated certificates at once instead of after 60 s.
      MOTO_ACM_VALIDATION_WAIT: '0',
      PYTHONWARNINGS: 'ignore',
    },
  });
  closeSync(log);
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${python} ${LAUNCHER}`);

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    unregister();
    await killTree(pid);
    if (ownDir) rmSync(ownDir, { recursive: true, force: true });
  };
  const unregister = onCleanup(stop, 'stopping the emulator');
  const emulator: Emulator = {
    endpoint,
    port,
    pid,
    logFile,
    stop,
    keep: () => {
      unregister();
      child.unref();
    },
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      await stop();
      throw new Error(`the emulator exited at start:\n${tail(logFile)}`);
    }
    try {
      if ((await statusOf(`${endpoint}/moto-api/`)) === 200) return emulator;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  await stop();
  throw new Error(`the emulator did not answer on ${endpoint} within ${(options.startTimeoutMs ?? 30_000) / 1000} s:\n${tail(logFile)}`);
}

/**
 * The embedded AWS emulator: moto's server, started through this project's
 * launcher (tools/sandbox/moto_launcher.py, which corrects the moto
 * behaviours listed in tools/sandbox/emulator-gaps.ts) on a loopback port the
 * launcher binds itself and reports back, with TLS, and stopped again however
 * the process ends — unless kept.
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
/** The moto this project's launcher corrections are written for (.ci/run installs it). */
export const MOTO_VERSION = '5.2.1';
export const INSTALL_HINT = `moto is not installed: pip install "moto[server]==${MOTO_VERSION}"`;

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

/**
 * All the emulator gets of this process's environment: what Python needs to
 * start (PATH, HOME, locale, TMPDIR for the ad-hoc certificate, PYTHON*,
 * pyenv's shims), the request trace switch, and the moto settings below —
 * never the rest, which may hold real AWS credentials.
 */
export function emulatorEnv(parent: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const passed = new Set(['PATH', 'HOME', 'LANG', 'LANGUAGE', 'TMPDIR', 'WEB_TIER_EMULATOR_TRACE']);
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(parent)) {
    if (value !== undefined && (passed.has(name) || /^(LC_|PYTHON|PYENV_)/.test(name))) env[name] = value;
  }
  return {
    ...env,
    // AWS-managed policies (AmazonSSMManagedInstanceCore) exist in every account.
    MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
    // ACM issues DNS-validated certificates at once instead of after 60 s.
    MOTO_ACM_VALIDATION_WAIT: '0',
    PYTHONWARNINGS: 'ignore',
  };
}

/**
 * The Python that can import moto's server (MOTO_PYTHON overrides), as the
 * interpreter's own path: a pyenv shim or a wrapper script would stand
 * between this process and the emulator's pid.
 */
export function findMotoPython(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.MOTO_PYTHON, 'python3', 'python'].filter((c): c is string => Boolean(c));
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import sys, moto.server; print(sys.executable)'], { encoding: 'utf8', env: emulatorEnv(env) });
    const executable = probe.stdout?.trim();
    if (probe.status === 0 && executable) return executable;
  }
  throw new EmulatorMissingError();
}

/** The ids of the corrections the launcher applies to moto. */
export function launcherCorrections(python = findMotoPython()): string[] {
  const listed = spawnSync(python, [LAUNCHER, '--list'], { encoding: 'utf8', env: emulatorEnv() });
  if (listed.status !== 0) throw new Error(`${LAUNCHER} --list failed: ${listed.stderr}`);
  return JSON.parse(listed.stdout) as string[];
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
  /** Port to try first; the launcher replaces a busy one by a free one. */
  readonly port?: number;
  /** Directory for the emulator's log. @default a temp dir removed on stop */
  readonly logDir?: string;
  readonly startTimeoutMs?: number;
}

/** The launcher's report of the port it holds (moto_launcher.py prints it once bound). */
const LISTENING = /^listening on 127\.0\.0\.1:(\d+)$/m;

/** Starts the emulator; a failed start is tried again, on whatever port the launcher then gets. */
export async function startEmulator(options: StartOptions = {}): Promise<Emulator> {
  const python = findMotoPython();
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(python, attempt === 0 ? (options.port ?? 0) : 0, options);
    } catch (error) {
      lastError = error;
    }
  }
  throw lastError instanceof Error ? lastError : new Error(String(lastError));
}

async function launch(python: string, wantedPort: number, options: StartOptions): Promise<Emulator> {
  const ownDir = options.logDir ? undefined : mkdtempSync(join(tmpdir(), 'moto-'));
  const logFile = join(options.logDir ?? (ownDir as string), 'emulator.log');
  // A file, not a pipe: a kept emulator must be able to log after this process is gone.
  const log = openSync(logFile, 'w');
  // The launcher binds the port itself (0: any) and says which: nothing can take it between a check here and its bind.
  const child = spawn(python, [LAUNCHER, '127.0.0.1', String(wantedPort)], {
    detached: true,
    stdio: ['ignore', log, log],
    env: emulatorEnv(),
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

  const timeoutMs = options.startTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let port: number | undefined;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      await stop();
      throw new Error(`the emulator exited at start:\n${tail(logFile)}`);
    }
    port ??= listeningPort(logFile);
    try {
      if (port !== undefined && (await statusOf(`https://127.0.0.1:${port}/moto-api/`)) === 200) {
        return {
          endpoint: `https://127.0.0.1:${port}`,
          port,
          pid,
          logFile,
          stop,
          keep: () => {
            unregister();
            child.unref();
          },
        };
      }
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, port === undefined ? 50 : 150));
  }
  await stop();
  const where = port === undefined ? 'report a port' : `answer on https://127.0.0.1:${port}`;
  throw new Error(`the emulator did not ${where} within ${timeoutMs / 1000} s:\n${tail(logFile)}`);
}

function listeningPort(logFile: string): number | undefined {
  const match = existsSync(logFile) ? LISTENING.exec(readFileSync(logFile, 'utf8')) : null;
  return match ? Number(match[1]) : undefined;
}

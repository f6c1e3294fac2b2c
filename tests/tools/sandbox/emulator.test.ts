/**
 * How the emulator is started: on a port its launcher binds itself and
 * reports (no window between choosing a port and binding it), with only the
 * environment it needs (never this process's AWS credentials), and at the
 * moto version CI installs.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { emulatorEnv, findMotoPython, isPortFree, MOTO_VERSION, startEmulator } from '../../../tools/sandbox/emulator';
import { ROOT } from '../../support/paths';

const LAUNCHER = join(ROOT, 'tools', 'sandbox', 'moto_launcher.py');

/** The environment of a live process, from /proc. */
function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((entry) => [entry.slice(0, entry.indexOf('=')), entry.slice(entry.indexOf('=') + 1)]));
}

describe('the emulator process', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  it('gets none of this process\'s credentials or other variables, only what Python and moto need', async () => {
    const canary = `canary-${process.pid}-${Date.now()}`;
    Object.assign(process.env, {
      AWS_SECRET_ACCESS_KEY: canary,
      AWS_ACCESS_KEY_ID: `AKIA${canary}`,
      AWS_SESSION_TOKEN: canary,
      GITHUB_TOKEN: canary,
      WEB_TIER_CANARY: canary,
    });
    const emulator = await startEmulator({});
    try {
      const env = environOf(emulator.pid);
      expect(readFileSync(`/proc/${emulator.pid}/environ`, 'latin1')).not.toContain(canary);
      expect(Object.keys(env).filter((name) => name.startsWith('AWS_'))).toEqual([]);
      expect(env).toMatchObject({ MOTO_IAM_LOAD_MANAGED_POLICIES: 'true', MOTO_ACM_VALIDATION_WAIT: '0', PATH: process.env.PATH });
      // Only these, whatever else the parent has.
      const allowed = /^(PATH|HOME|LANG|LANGUAGE|TMPDIR|WEB_TIER_EMULATOR_TRACE|MOTO_IAM_LOAD_MANAGED_POLICIES|MOTO_ACM_VALIDATION_WAIT|MOTO_PORT|LC_.*|PYTHON.*|PYENV_.*)$/;
      expect(Object.keys(env).filter((name) => !allowed.test(name))).toEqual([]);
    } finally {
      await emulator.stop();
    }
  }, 60_000);

  it('emulatorEnv keeps the launcher\'s needs and drops everything else', () => {
    const env = emulatorEnv({ PATH: '/bin', HOME: '/home/u', LANG: 'C.UTF-8', LC_ALL: 'C', PYTHONPATH: '/py', AWS_PROFILE: 'prod', SSH_AUTH_SOCK: '/s', WEB_TIER_EMULATOR_TRACE: '/t' });
    expect(env).toEqual({
      PATH: '/bin',
      HOME: '/home/u',
      LANG: 'C.UTF-8',
      LC_ALL: 'C',
      PYTHONPATH: '/py',
      WEB_TIER_EMULATOR_TRACE: '/t',
      MOTO_IAM_LOAD_MANAGED_POLICIES: 'true',
      MOTO_ACM_VALIDATION_WAIT: '0',
      PYTHONWARNINGS: 'ignore',
    });
  });

  it('is the interpreter itself, not a shim in front of it (the pid checked above is the emulator\'s)', () => {
    const python = findMotoPython();
    expect(python).toMatch(/^\//);
    expect(python).not.toMatch(/\/shims\//);
  });
});

describe('the emulator port', () => {
  it('is bound by the launcher itself, which then says which it is', async () => {
    const launcher = spawn(findMotoPython(), [LAUNCHER, '127.0.0.1', '0'], { env: emulatorEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolveLine, reject) => {
        let out = '';
        launcher.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('\n')) resolveLine(out.split('\n')[0] ?? '');
        });
        launcher.once('exit', (code) => reject(new Error(`the launcher exited (${code}) before reporting a port`)));
        setTimeout(() => reject(new Error('no port reported within 30 s')), 30_000);
      });
      const [, port = '0'] = /^listening on 127\.0\.0\.1:(\d+)$/.exec(line) ?? [];
      expect(Number(port)).toBeGreaterThan(0);
      // Bound, not merely chosen: the port is taken the moment it is reported.
      expect(await isPortFree(Number(port))).toBe(false);
    } finally {
      launcher.kill('SIGTERM');
    }
  }, 60_000);

  it('startEmulator asks for no particular port unless told, and uses the one reported', async () => {
    const emulator = await startEmulator({});
    try {
      expect(readFileSync(`/proc/${emulator.pid}/cmdline`, 'latin1').split('\0').slice(-3, -1)).toEqual(['127.0.0.1', '0']);
      expect(readFileSync(emulator.logFile, 'utf8')).toContain(`listening on 127.0.0.1:${emulator.port}\n`);
      expect(emulator.endpoint).toBe(`https://127.0.0.1:${emulator.port}`);
    } finally {
      await emulator.stop();
    }
  }, 60_000);
});

describe('the moto version', () => {
  it('is the one .ci/run installs', () => {
    const ci = readFileSync(join(ROOT, '.ci', 'run'), 'utf8');
    expect(/^MOTO_VERSION=(\S+)$/m.exec(ci)?.[1]).toBe(MOTO_VERSION);
    expect(ci).toContain('"moto[server]==$MOTO_VERSION"');
  });
});

/**
 * Child processes that never outlive their parent. Every command runs in its
 * own process group and is tracked; `shutdown` ends each one with its whole
 * tree — including processes that left the group, such as the terraform
 * that cdktf starts on a pseudo-terminal of its own.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { onCleanup } from './cleanup';

export interface CommandResult {
  readonly code: number;
  /** stdout and stderr interleaved, as printed. */
  readonly output: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Called for every complete output line (stdout and stderr). */
  readonly onLine?: (line: string) => void;
  /** Called with the child's pid once it has started. */
  readonly onSpawn?: (pid: number) => void;
}

const running = new Set<ChildProcess>();
let shuttingDown = false;
let cleanupRegistered = false;

/** True once `shutdown` has begun: failures after that are its doing, not news. */
export function isShuttingDown(): boolean {
  return shuttingDown;
}

export class ShutdownError extends Error {
  constructor(command: string) {
    super(`not starting ${command}: shutting down`);
    this.name = 'ShutdownError';
  }
}

export function run(command: string, args: readonly string[], options: RunOptions): Promise<CommandResult> {
  if (shuttingDown) return Promise.reject(new ShutdownError(command));
  if (!cleanupRegistered) {
    cleanupRegistered = true;
    onCleanup(shutdown, () => (running.size > 0 ? 'stopping cdktf and terraform' : undefined));
  }
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    if (child.pid !== undefined) options.onSpawn?.(child.pid);
    const all: string[] = [];
    const streams = { stdout: [] as string[], stderr: [] as string[] };
    let partial = '';
    const take = (stream: keyof typeof streams) => (text: string) => {
      all.push(text);
      streams[stream].push(text);
      if (!options.onLine) return;
      const lines = (partial + text).split(/\r?\n|\r/);
      partial = lines.pop() ?? '';
      for (const line of lines) options.onLine(line);
    };
    // Decoded by the streams, so a character split across chunks stays whole.
    child.stdout?.setEncoding('utf8').on('data', take('stdout'));
    child.stderr?.setEncoding('utf8').on('data', take('stderr'));
    child.once('error', (error) => {
      running.delete(child);
      reject(error);
    });
    child.once('close', (code, signal) => {
      running.delete(child);
      if (partial && options.onLine) options.onLine(partial);
      resolve({
        code: code ?? (signal ? 128 : 1),
        output: all.join(''),
        stdout: streams.stdout.join(''),
        stderr: streams.stderr.join(''),
        ms: Date.now() - started,
      });
    });
  });
}

/** Every live descendant of `pid` (Linux /proc; elsewhere none are found and the process group is relied on). */
export function descendants(pid: number): number[] {
  let parents: Map<number, number[]>;
  try {
    parents = new Map();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        // Field 4 (ppid) follows the parenthesised command name, which may contain spaces.
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const list = parents.get(ppid) ?? [];
        list.push(Number(entry));
        parents.set(ppid, list);
      } catch {
        // exited while we looked
      }
    }
  } catch {
    return [];
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of parents.get(queue.shift() as number) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/**
 * Ends `pid`, its process group and every descendant: TERM first, KILL after
 * `graceMs` (0: KILL at once, as a crash or `kill -9` would).
 */
export async function killTree(pid: number, graceMs = 3000): Promise<void> {
  const tree = [pid, ...descendants(pid)];
  const first: NodeJS.Signals = graceMs > 0 ? 'SIGTERM' : 'SIGKILL';
  signal(-pid, first);
  for (const p of tree) signal(p, first);
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline && tree.some(isAlive)) await new Promise((r) => setTimeout(r, 50));
  signal(-pid, 'SIGKILL');
  // One more scan catches children started during the grace period.
  const last = [...new Set([...tree, ...descendants(pid)])];
  for (const p of last) if (isAlive(p)) signal(p, 'SIGKILL');
  // SIGKILL is delivered, not done: until a process has exited it still holds its files and ports.
  // Returning earlier let a caller find the emulator's port still taken on a busy machine.
  const gone = Date.now() + KILL_WAIT_MS;
  while (Date.now() < gone && last.some(isAlive)) await new Promise((r) => setTimeout(r, 20));
}

/** How long `killTree` waits for SIGKILLed processes to exit (a kernel matter of milliseconds, longer under load). */
const KILL_WAIT_MS = 5000;

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers signal 0; it is gone for our purposes.
  try {
    return !/^\S+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}

/** Ends every command started with `run` that is still going, and refuses new ones. */
export async function shutdown(): Promise<void> {
  shuttingDown = true;
  const children = [...running].map((child) => child.pid).filter((pid): pid is number => pid !== undefined);
  await Promise.all(children.map((pid) => killTree(pid)));
}

/**
 * What must happen however the process ends: on success, on an error, on
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP. Each task's synchronous part (sending
 * signals, removing directories) also runs on a plain `process.exit`.
 */

type Task = () => void | Promise<void>;

const tasks: Task[] = [];
/** What a task does, for the message an interrupted user sees. */
const labels = new Map<Task, () => string | undefined>();
let installed = false;
let exiting = false;

/** Registers `task` (run last-registered first); the returned function unregisters it. */
export function onCleanup(task: Task, label?: string | (() => string | undefined)): () => void {
  install();
  tasks.push(task);
  if (label) labels.set(task, typeof label === 'string' ? () => label : label);
  return () => {
    const index = tasks.indexOf(task);
    if (index >= 0) tasks.splice(index, 1);
    labels.delete(task);
  };
}

/** Runs every registered task once, newest first, and waits for them. */
export async function runCleanup(): Promise<void> {
  // Taken one at a time, not all at once: should something call process.exit while a task is awaited,
  // the exit handler still finds the ones not yet run and does their synchronous part (a stopped
  // emulator's signal), instead of leaving them behind.
  for (let task = tasks.pop(); task; task = tasks.pop()) {
    labels.delete(task);
    try {
      await task();
    } catch (error) {
      process.stderr.write(`cleanup: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  process.once('exit', () => {
    for (const task of tasks.splice(0).reverse()) {
      try {
        void task();
      } catch {
        // best effort while exiting
      }
    }
  });
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [sig, code] of Object.entries(codes)) {
    process.on(sig as NodeJS.Signals, () => {
      if (exiting) return;
      exiting = true;
      const doing = tasks.map((task) => labels.get(task)?.()).filter(Boolean);
      if (doing.length > 0) process.stderr.write(`\n${sig}: ${doing.reverse().join(', ')} …\n`);
      void runCleanup().finally(() => process.exit(code));
    });
  }
}

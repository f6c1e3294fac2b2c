/**
 * What must happen however the process ends: on success, on an error, on
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP. Each task's synchronous part (sending
 * signals, removing directories) also runs on a plain `process.exit`.
 */

type Task = () => void | Promise<void>;

const tasks: Task[] = [];
let installed = false;
let exiting = false;

/** Registers `task` (run last-registered first); the returned function unregisters it. */
export function onCleanup(task: Task): () => void {
  install();
  tasks.push(task);
  return () => {
    const index = tasks.indexOf(task);
    if (index >= 0) tasks.splice(index, 1);
  };
}

/** Runs every registered task once, newest first, and waits for them. */
export async function runCleanup(): Promise<void> {
  const pending = tasks.splice(0).reverse();
  for (const task of pending) {
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
      if (tasks.length > 0) process.stderr.write(`\n${sig}: stopping the emulator and removing temporary files …\n`);
      void runCleanup().finally(() => process.exit(code));
    });
  }
}

/**
 * Progress for long steps, so nobody watches a silent terminal: on a TTY one
 * status line redrawn twice a second; in a log (CI, a pipe) a line every
 * ten seconds. Each step ends with its outcome and duration.
 */
import { RunTally, type TerraformEvent } from './terraform-events';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface ProgressOptions {
  readonly out?: NodeJS.WriteStream;
  /** Redraw interval on a TTY, and heartbeat interval otherwise. */
  readonly ttyIntervalMs?: number;
  readonly logIntervalMs?: number;
}

/** One step's live state: a tally per Terraform run it watches. */
export class StepStatus {
  readonly runs = new Map<string, RunTally>();

  /** An event sink for the Terraform run of `stack`. */
  watch(stack: string): (event: TerraformEvent) => void {
    const tally = new RunTally();
    this.runs.set(stack, tally);
    return (event) => tally.record(event);
  }

  describe(): string {
    return [...this.runs.entries()]
      .map(([stack, t]) => {
        const count = t.planned > 0 ? ` ${t.done}/${t.planned}` : '';
        const last = t.last ? ` · ${shorten(t.last, 70)}` : '';
        return `${stack}${count}${last}`;
      })
      .join('  |  ');
  }
}

export class Progress {
  private readonly out: NodeJS.WriteStream;
  private readonly tty: boolean;

  constructor(private readonly options: ProgressOptions = {}) {
    this.out = options.out ?? process.stdout;
    this.tty = Boolean(this.out.isTTY);
  }

  line(text = ''): void {
    this.out.write(`${text}\n`);
  }

  /** Runs `work`, showing its status until it settles; rethrows its error. */
  async step<T>(label: string, work: (status: StepStatus) => Promise<T>): Promise<T> {
    const status = new StepStatus();
    const started = Date.now();
    const seconds = () => ((Date.now() - started) / 1000).toFixed(0);
    let frame = 0;
    const render = () => {
      const detail = status.describe();
      return `${label} … ${seconds()} s${detail ? `  ${detail}` : ''}`;
    };
    const timer = this.tty
      ? setInterval(() => this.redraw(`${SPINNER[frame++ % SPINNER.length]} ${render()}`), this.options.ttyIntervalMs ?? 500)
      : setInterval(() => this.line(`  … ${render()}`), this.options.logIntervalMs ?? 10_000);
    if (!this.tty) this.line(`▸ ${label} …`);
    try {
      const result = await work(status);
      this.finish(`✓ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      return result;
    } catch (error) {
      this.finish(`✗ ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
      throw error;
    } finally {
      clearInterval(timer);
    }
  }

  private redraw(text: string): void {
    const width = this.out.columns ?? 120;
    this.out.write(`\r\u001b[2K${shorten(text, width - 1)}`);
  }

  private finish(text: string): void {
    if (this.tty) this.out.write('\r\u001b[2K');
    this.line(text);
  }
}

function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

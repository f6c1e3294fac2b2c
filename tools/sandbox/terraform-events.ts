/**
 * Reads Terraform's human output (as `cdktf deploy` and `terraform apply`
 * print it) line by line and turns the lines that matter into events: the
 * plan's size, each resource's progress, completion and errors.
 */

export type ResourceAction = 'creating' | 'created' | 'modifying' | 'modified' | 'destroying' | 'destroyed' | 'waiting';

export type TerraformEvent =
  | { readonly kind: 'plan'; readonly add: number; readonly change: number; readonly destroy: number }
  | { readonly kind: 'resource'; readonly address: string; readonly action: ResourceAction; readonly detail: string }
  | { readonly kind: 'complete'; readonly summary: string }
  | { readonly kind: 'error'; readonly message: string };

// Colour and cursor-movement sequences (cdktf redraws its status lines).
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

// cdktf adds the construct path after the address when it prints without colour.
const RESOURCE_LINE =
  /((?:data\.)?aws_[a-z0-9_]+\.[A-Za-z0-9_-]+)(?: \([^)]*\))?: (Creating\.\.\.|Creation complete after \S+|Modifying\.\.\.|Modifications complete after \S+|Destroying\.\.\.|Destruction complete after \S+|Still (?:creating|modifying|destroying)\.\.\. \[[^\]]+\])/;

const ACTIONS: readonly [RegExp, ResourceAction][] = [
  [/^Creating/, 'creating'],
  [/^Creation complete/, 'created'],
  [/^Modifying/, 'modifying'],
  [/^Modifications complete/, 'modified'],
  [/^Destroying/, 'destroying'],
  [/^Destruction complete/, 'destroyed'],
  [/^Still/, 'waiting'],
];

export function stripAnsi(text: string): string {
  return text.replace(ANSI, '');
}

export function parseTerraformLine(raw: string): TerraformEvent | undefined {
  const line = stripAnsi(raw).trim();
  const resource = RESOURCE_LINE.exec(line);
  if (resource) {
    const [, address = '', detail = ''] = resource;
    const action = ACTIONS.find(([pattern]) => pattern.test(detail))?.[1] ?? 'waiting';
    return { kind: 'resource', address, action, detail };
  }
  const plan = /Plan: (\d+) to add, (\d+) to change, (\d+) to destroy/.exec(line);
  if (plan) return { kind: 'plan', add: Number(plan[1]), change: Number(plan[2]), destroy: Number(plan[3]) };
  const complete = /((?:Apply|Destroy) complete! Resources: .*?\.)/.exec(line);
  if (complete) return { kind: 'complete', summary: complete[1] ?? line };
  const error = /(?:│\s*)?Error: (.*)/.exec(line);
  if (error) return { kind: 'error', message: (error[1] ?? '').trim() };
  return undefined;
}

/** Running totals of one Terraform run, fed with its events. */
export class RunTally {
  /** Resource operations the plan announced (add + change + destroy). */
  planned = 0;
  done = 0;
  last = '';
  readonly errors: string[] = [];
  readonly completed = new Set<string>();

  record(event: TerraformEvent): void {
    switch (event.kind) {
      case 'plan':
        this.planned = event.add + event.change + event.destroy;
        break;
      case 'resource':
        this.last = `${event.address}: ${event.detail}`;
        if (event.action === 'created' || event.action === 'modified' || event.action === 'destroyed') {
          this.done++;
          this.completed.add(event.address);
        }
        break;
      case 'complete':
        this.last = event.summary;
        break;
      case 'error':
        this.errors.push(event.message);
        break;
    }
  }
}

/**
 * Lambda provisioned concurrency as the stack sets it: a constant config on
 * an alias, or an Application Auto Scaling target whose scheduled actions
 * set it by time of day (modules/serverless). What it costs is GB-hours:
 * concurrency × the function's memory × the hours it is held, the schedules
 * replayed over a representative week (schedule.ts) and scaled to the month.
 * Requests and duration stay usage-only.
 */
import { scheduleEvents } from './schedule';
import type { PlacedResource, ScheduledAction } from './stack-model';
import { block } from './tf-json';

export interface ProvisionedConcurrency {
  /** The provisioned config or the scalable target it is priced on. */
  readonly resource: PlacedResource;
  /** The function's memory in GB. */
  readonly memoryGb: number;
  /** arm64 or x86_64: the two are priced apart. */
  readonly architecture: 'arm64' | 'x86_64';
  /** Concurrency-hours in a month. */
  readonly concurrencyHours: number;
}

/**
 * `cron(0 9 ? * MON-FRI *)` → `0 9 * * MON-FRI`: AWS's six-field cron as the
 * five-field form schedule.ts replays (cron-parser reads weekday names).
 */
export function fromAwsCron(schedule: string): string | undefined {
  const fields = /^cron\((.+)\)$/.exec(schedule.trim())?.[1]?.split(/\s+/);
  if (!fields || fields.length !== 6) return undefined;
  return fields
    .slice(0, 5)
    .map((field) => (field === '?' ? '*' : field))
    .join(' ');
}

/** `${aws_lambda_function.ID.function_name}` or a literal name → the function it names. */
function functionNamed(resources: readonly PlacedResource[], reference: unknown): PlacedResource | undefined {
  const text = String(reference);
  const id = /^\$\{aws_lambda_function\.([^.]+)\.function_name\}$/.exec(text)?.[1];
  return resources.find((r) => r.type === 'aws_lambda_function' && (id ? r.id === id : r.body.function_name === text));
}

function sizeOf(fn: PlacedResource | undefined): Pick<ProvisionedConcurrency, 'memoryGb' | 'architecture'> {
  const architectures = fn?.body.architectures;
  return {
    // Lambda's default memory is 128 MB.
    memoryGb: Number(fn?.body.memory_size ?? 128) / 1024,
    architecture: Array.isArray(architectures) && architectures[0] === 'arm64' ? 'arm64' : 'x86_64',
  };
}

/** Every provisioned-concurrency holding in the stack, with its concurrency-hours over a month of `hoursPerMonth`. */
export function provisionedConcurrency(resources: readonly PlacedResource[], hoursPerMonth: number): ProvisionedConcurrency[] {
  const found: ProvisionedConcurrency[] = [];
  for (const r of resources) {
    if (r.type === 'aws_lambda_provisioned_concurrency_config') {
      const fn = functionNamed(resources, r.body.function_name);
      found.push({ resource: r, ...sizeOf(fn), concurrencyHours: Number(r.body.provisioned_concurrent_executions) * hoursPerMonth });
    }
    if (r.type === 'aws_appautoscaling_target' && r.body.scalable_dimension === 'lambda:function:ProvisionedConcurrency') {
      const name = /^function:([^:]+):/.exec(String(r.body.resource_id))?.[1];
      const fn = functionNamed(resources, name);
      found.push({ resource: r, ...sizeOf(fn), concurrencyHours: scheduledHours(r, resources, hoursPerMonth) });
    }
  }
  return found;
}

/** Concurrency-hours a scalable target holds: its min capacity, moved by its scheduled actions through a week (Monday 2024-01-01 UTC). */
function scheduledHours(target: PlacedResource, resources: readonly PlacedResource[], hoursPerMonth: number): number {
  const reference = `\${aws_appautoscaling_target.${target.id}.resource_id}`;
  const actions: ScheduledAction[] = resources
    .filter((r) => r.type === 'aws_appautoscaling_scheduled_action' && (r.body.resource_id === reference || r.body.resource_id === target.body.resource_id))
    .flatMap((r) => {
      const recurrence = fromAwsCron(String(r.body.schedule));
      const size = block(r.body.scalable_target_action);
      if (!recurrence || !size) return [];
      const capacity = Number(size.min_capacity ?? size.max_capacity ?? 0);
      return [{ name: String(r.body.name), recurrence, timeZone: String(r.body.timezone ?? 'Etc/UTC'), minSize: capacity, maxSize: capacity, desiredCapacity: capacity }];
    });
  const from = Date.UTC(2024, 0, 1);
  const to = from + 7 * 24 * 3600_000;
  let held = Number(target.body.min_capacity ?? 0);
  let cursor = from;
  let weighted = 0;
  for (const event of scheduleEvents(actions, from, to)) {
    const at = Math.max(event.at, from);
    weighted += (at - cursor) * held;
    cursor = at;
    held = event.action.desiredCapacity ?? held;
  }
  weighted += (to - cursor) * held;
  return (weighted / (to - from)) * hoursPerMonth;
}

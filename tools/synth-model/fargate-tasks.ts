/**
 * Fargate services as the stack sets them (modules/container-service): the
 * tasks they run, assumed at the service's desired count (its minimum, what
 * it is created with), each task's vCPU and GB from its task definition, and
 * how the capacity provider strategy splits them: each entry's base first,
 * the rest by weight — on demand (FARGATE) and Spot (FARGATE_SPOT) priced apart.
 */
import type { PlacedResource } from './stack-model';

export interface FargateTasks {
  /** The service they are priced on. */
  readonly resource: PlacedResource;
  readonly vcpu: number;
  readonly memoryGb: number;
  /** Tasks on FARGATE (on demand). */
  readonly onDemandTasks: number;
  /** Tasks on FARGATE_SPOT. */
  readonly spotTasks: number;
}

interface Share {
  provider: string;
  base: number;
  weight: number;
}

/** `tasks` split as ECS places them: bases in order, then the rest in proportion to the weights. */
export function splitByStrategy(tasks: number, strategy: readonly Share[]): Record<string, number> {
  const split: Record<string, number> = {};
  let rest = tasks;
  for (const s of strategy) {
    const base = Math.min(s.base, rest);
    split[s.provider] = (split[s.provider] ?? 0) + base;
    rest -= base;
  }
  const total = strategy.reduce((sum, s) => sum + s.weight, 0);
  for (const s of strategy) split[s.provider] = (split[s.provider] ?? 0) + (total > 0 ? (rest * s.weight) / total : 0);
  return split;
}

/** Every Fargate service of the stack with its tasks' size and split. */
export function fargateTasks(resources: readonly PlacedResource[]): FargateTasks[] {
  const found: FargateTasks[] = [];
  for (const r of resources) {
    if (r.type !== 'aws_ecs_service') continue;
    const id = /^\$\{aws_ecs_task_definition\.([^.]+)\.arn\}$/.exec(String(r.body.task_definition))?.[1];
    const task = resources.find((t) => t.type === 'aws_ecs_task_definition' && t.id === id);
    if (!task || !(task.body.requires_compatibilities as string[] | undefined)?.includes('FARGATE')) continue;
    const raw = Array.isArray(r.body.capacity_provider_strategy) ? (r.body.capacity_provider_strategy as Record<string, unknown>[]) : [];
    const strategy: Share[] = raw.length
      ? raw.map((s) => ({ provider: String(s.capacity_provider), base: Number(s.base ?? 0), weight: Number(s.weight ?? 0) }))
      : [{ provider: r.body.launch_type === 'FARGATE' ? 'FARGATE' : 'FARGATE', base: 0, weight: 1 }];
    const split = splitByStrategy(Number(r.body.desired_count ?? 0), strategy);
    found.push({
      resource: r,
      vcpu: Number(task.body.cpu) / 1024,
      memoryGb: Number(task.body.memory) / 1024,
      onDemandTasks: split.FARGATE ?? 0,
      spotTasks: split.FARGATE_SPOT ?? 0,
    });
  }
  return found;
}

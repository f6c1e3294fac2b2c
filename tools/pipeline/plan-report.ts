/**
 * What a pull request's plans say, as one Markdown comment: counts per stack,
 * replacements and destroys first and loudly, anything touching the state
 * bucket or lock table flagged as dangerous, and the cost diff.
 */
import type { CostDiff } from '../synth-model/cost-report';
import { signedUsd, usd } from '../synth-model/cost-report';
import { cents } from '../synth-model/split';
import type { TfJson } from '../synth-model/tf-json';

/** Marks the comment so the next run updates it instead of adding another. */
export const COMMENT_MARKER = '<!-- dynamic-web-tier:plan-summary -->';

/** The part of `terraform show -json` this reads. */
export interface ShowJson {
  resource_changes?: Array<{
    address: string;
    mode?: string;
    type: string;
    change: { actions: string[]; before?: Record<string, unknown> | null; after?: Record<string, unknown> | null; replace_paths?: unknown[][] };
    action_reason?: string;
  }>;
}

export type ChangeKind = 'create' | 'update' | 'delete' | 'replace';

export interface ResourceChange {
  address: string;
  type: string;
  kind: ChangeKind;
  /** Attributes that force the replacement, when Terraform says. */
  replacedBy: string[];
  reason?: string;
}

export interface StatePlace {
  bucket?: string;
  table?: string;
}

export interface StackPlan {
  stack: string;
  /** Absent when the plan failed or never ran. */
  changes?: ResourceChange[];
  add: number;
  change: number;
  destroy: number;
  /** Changes that touch the state bucket or lock table. */
  dangerous: ResourceChange[];
}

/** Where a synthesized stack keeps its state (its S3 backend), to recognise it in a plan; a stack whose state is in HCP Terraform (`cloud`) has none to touch. */
export function statePlaceOf(stack: TfJson): StatePlace {
  const s3 = stack.terraform.backend?.s3;
  return {
    ...(typeof s3?.bucket === 'string' ? { bucket: s3.bucket } : {}),
    ...(typeof s3?.dynamodb_table === 'string' ? { table: s3.dynamodb_table } : {}),
  };
}

function kindOf(actions: string[]): ChangeKind | undefined {
  if (actions.includes('delete') && actions.includes('create')) return 'replace';
  if (actions.includes('create')) return 'create';
  if (actions.includes('delete')) return 'delete';
  if (actions.includes('update')) return 'update';
  return undefined; // no-op, read
}

function touchesState(values: Record<string, unknown> | null | undefined, place: StatePlace): boolean {
  if (!values) return false;
  const names = [values.bucket, values.name, values.id, values.table_name].filter((v): v is string => typeof v === 'string');
  return names.some((n) => n === place.bucket || n === place.table);
}

/** Summarizes one stack's plan the way `terraform plan` counts: a replacement is one add and one destroy. */
export function summarizePlan(stack: string, plan: ShowJson | undefined, place: StatePlace = {}): StackPlan {
  if (!plan) return { stack, add: 0, change: 0, destroy: 0, dangerous: [] };
  const changes: ResourceChange[] = [];
  const dangerous: ResourceChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode === 'data') continue;
    const kind = kindOf(rc.change.actions);
    if (!kind) continue;
    const change: ResourceChange = {
      address: rc.address,
      type: rc.type,
      kind,
      replacedBy: (rc.change.replace_paths ?? []).map((path) => path.map(String).join('.')),
      ...(rc.action_reason ? { reason: rc.action_reason } : {}),
    };
    changes.push(change);
    if (stack === 'state-backend' || touchesState(rc.change.before, place) || touchesState(rc.change.after, place)) dangerous.push(change);
  }
  const count = (...kinds: ChangeKind[]): number => changes.filter((c) => kinds.includes(c.kind)).length;
  return { stack, changes, add: count('create', 'replace'), change: count('update'), destroy: count('delete', 'replace'), dangerous };
}

const REASONS: Record<string, string> = {
  replace_because_cannot_update: 'an argument that cannot change in place changed',
  replace_because_tainted: 'it is tainted',
  replace_by_request: 'replacement was requested',
  replace_by_triggers: 'a replace_triggered_by reference changed',
  delete_because_no_resource_config: 'it was removed from the configuration',
  delete_because_no_module: 'its module was removed',
  delete_because_wrong_repetition: 'its count/for_each changed',
  delete_because_count_index: 'its count index is gone',
  delete_because_each_key: 'its for_each key is gone',
};

function describe(c: ResourceChange): string {
  const why = c.replacedBy.length > 0 ? ` — forced by \`${c.replacedBy.join('`, `')}\`` : c.reason && REASONS[c.reason] ? ` — ${REASONS[c.reason]}` : '';
  return `\`${c.address}\`${why}`;
}

/** The whole comment. `expected` lists every stack CI meant to plan, so a missing plan shows as failed. */
export function renderComment(plans: StackPlan[], expected: string[], cost?: CostDiff[], runUrl?: string): string {
  const byStack = new Map(plans.map((p) => [p.stack, p]));
  const out: string[] = [COMMENT_MARKER, '## Terraform plan', ''];

  const dangerous = plans.filter((p) => p.dangerous.length > 0);
  if (dangerous.length > 0) {
    out.push('> [!CAUTION]', '> **The state backend is touched.** Losing the state bucket or lock table orphans every environment.', '>');
    for (const p of dangerous) for (const c of p.dangerous) out.push(`> - **${p.stack}**: ${c.kind} ${describe(c)}`);
    out.push('');
  }
  const loud = plans.filter((p) => (p.changes ?? []).some((c) => c.kind === 'replace' || c.kind === 'delete'));
  if (loud.length > 0) {
    out.push('> [!WARNING]', '> **Replacements and destroys**', '>');
    for (const p of loud) {
      for (const c of p.changes!.filter((x) => x.kind === 'replace')) out.push(`> - **${p.stack}**: 🔁 **replace** ${describe(c)}`);
      for (const c of p.changes!.filter((x) => x.kind === 'delete')) out.push(`> - **${p.stack}**: 🗑️ **destroy** ${describe(c)}`);
    }
    out.push('');
  }

  out.push('| stack | add | change | destroy | |', '|---|--:|--:|--:|---|');
  for (const stack of expected) {
    const p = byStack.get(stack);
    if (!p?.changes) {
      out.push(`| ${stack} | – | – | – | ❌ no plan (the plan job failed; see its log) |`);
      continue;
    }
    const replaces = p.changes.filter((c) => c.kind === 'replace').length;
    const status =
      p.dangerous.length > 0 ? '🚨 state backend' : replaces + p.destroy > 0 ? `⚠️ ${[replaces && `${replaces} replace`, p.destroy - replaces > 0 && `${p.destroy - replaces} destroy`].filter(Boolean).join(', ')}` : p.changes.length === 0 ? '✅ no changes' : '✅';
    out.push(`| ${stack} | ${p.add} | ${p.change} | ${p.destroy} | ${status} |`);
  }

  if (cost) out.push('', ...renderCost(cost));

  const detailed = plans.filter((p) => (p.changes ?? []).length > 0);
  if (detailed.length > 0) {
    out.push('', '<details><summary>Every change</summary>', '');
    for (const p of detailed) {
      out.push(`**${p.stack}**`, '');
      for (const c of p.changes!) out.push(`- ${c.kind} ${describe(c)}`);
      out.push('');
    }
    out.push('</details>');
  }
  if (runUrl) out.push('', `Each stack's summary is in its plan job of [this run](${runUrl}); plans and their values never leave those jobs.`);
  return `${out.join('\n')}\n`;
}

/** One stack's plan as the approval gate shows it (the job summary): the table row, then every change by address. */
export function renderStackSummary(plan: StackPlan, note?: string): string {
  const out = [`## Plan: ${plan.stack}`, ''];
  if (note) out.push(`_${note}_`, '');
  if (plan.dangerous.length > 0) {
    out.push('> [!CAUTION]', '> **The state backend is touched.**', '>', ...plan.dangerous.map((c) => `> - ${c.kind} ${describe(c)}`), '');
  }
  out.push('| add | change | destroy |', '|--:|--:|--:|', `| ${plan.add} | ${plan.change} | ${plan.destroy} |`, '');
  const changes = plan.changes ?? [];
  if (changes.length === 0) out.push('No changes.');
  for (const kind of ['replace', 'delete', 'update', 'create'] as const) {
    for (const c of changes.filter((x) => x.kind === kind)) out.push(`- ${kind === 'replace' ? '🔁 **replace**' : kind === 'delete' ? '🗑️ **destroy**' : kind} ${describe(c)}`);
  }
  return `${out.join('\n')}\n`;
}

/** A summary written by `npm run ci:plan -- --summary`, checked for shape (it crossed jobs as an artifact). */
export function parseStackPlan(text: string, stack: string): StackPlan {
  const value = JSON.parse(text) as Partial<StackPlan>;
  if (value.stack !== stack || !Array.isArray(value.changes) || !Array.isArray(value.dangerous)) throw new Error(`not a plan summary of ${stack}`);
  const counts = [value.add, value.change, value.destroy];
  if (!counts.every((n) => Number.isInteger(n))) throw new Error(`not a plan summary of ${stack}: counts missing`);
  return value as StackPlan;
}

function renderCost(diffs: CostDiff[]): string[] {
  const total = diffs.reduce((acc, d) => ({ before: acc.before + d.before, after: acc.after + d.after }), { before: 0, after: 0 });
  const lines = ['### Monthly cost (against the base branch)', '', '| stack | base | this PR | change |', '|---|--:|--:|--:|'];
  for (const d of diffs) lines.push(`| ${d.stack} | ${usd(d.before)} | ${usd(d.after)} | ${signedUsd(cents(d.after - d.before))} |`);
  lines.push(`| **total** | ${usd(cents(total.before))} | ${usd(cents(total.after))} | **${signedUsd(cents(total.after - total.before))}** |`);
  const changed = diffs.flatMap((d) => d.changes.map((c) => ({ stack: d.stack, ...c })));
  if (changed.length > 0) {
    changed.sort((a, b) => Math.abs(b.after - b.before) - Math.abs(a.after - a.before));
    lines.push('', 'Biggest line changes:', '');
    for (const c of changed.slice(0, 10)) lines.push(`- ${signedUsd(cents(c.after - c.before))} ${c.stack} · ${c.resource} — ${c.unit}`);
  }
  lines.push('', '_Estimated with `npm run cost` from the bundled price table; assumptions are in its output._');
  return lines;
}

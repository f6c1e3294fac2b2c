/**
 * Runs the rule pack inside every synth, as a cdktf Aspect on each stack,
 * and fails the synth on a finding that is not waived. Waivers are explicit:
 * one rule, one construct (and what it contains), a written reason; a waiver
 * that waives nothing is itself an error, so they cannot go stale.
 */
import { Aspects, type IAspect, TerraformStack } from 'cdktf';
import type { Construct, IConstruct } from 'constructs';
import { viewOf } from './resources';
import { RULES, type SecurityRule } from './rules';

const WAIVER = 'security-pack:waiver';

export interface Waiver {
  readonly rule: string;
  readonly reason: string;
}

export interface Finding {
  readonly rule: string;
  /** Construct path below the stack. */
  readonly resource: string;
  readonly message: string;
}

export interface WaivedFinding extends Finding {
  readonly reason: string;
}

export interface ComplianceReport {
  readonly stack: string;
  readonly production: boolean;
  readonly rules: number;
  readonly resourcesChecked: number;
  readonly checks: number;
  readonly violations: readonly Finding[];
  readonly waived: readonly WaivedFinding[];
  /** Waivers that matched no finding: errors too. */
  readonly unusedWaivers: readonly { readonly rule: string; readonly resource: string; readonly reason: string }[];
}

export interface SecurityPackOptions {
  /** Production stacks also get the production-only rules (ALB deletion protection). */
  readonly production: boolean;
  /** @default every rule in rules.ts */
  readonly rules?: readonly SecurityRule[];
}

/** Waives `rule` for `scope` and everything under it, with the reason reviewers will read. */
export function waive(scope: Construct, rule: string, reason: string): void {
  if (!RULES.some((r) => r.id === rule)) throw new Error(`${scope.node.path}: cannot waive unknown rule ${rule}`);
  if (reason.trim().length < 20) throw new Error(`${scope.node.path}: waiving ${rule} needs a reason of at least 20 characters`);
  scope.node.addMetadata(WAIVER, { rule, reason } satisfies Waiver);
}

const options = new WeakMap<TerraformStack, SecurityPackOptions>();

export class SecurityViolationError extends Error {
  constructor(readonly reports: readonly ComplianceReport[]) {
    const lines = reports.flatMap((r) => [
      ...r.violations.map((v) => `${v.rule} ${r.stack}/${v.resource}: ${v.message}`),
      ...r.unusedWaivers.map((w) => `${w.rule} ${r.stack}/${w.resource}: waived ("${w.reason}") but nothing there violates it; remove the waiver`),
    ]);
    super(`Security rule pack: ${lines.length} problem${lines.length === 1 ? '' : 's'}:\n${lines.map((l) => `  - ${l}`).join('\n')}`);
    this.name = 'SecurityViolationError';
  }
}

/**
 * Checks every stack of the app the first time any of them is synthesized:
 * cdktf writes each stack right after its aspects run, so checking them one
 * by one would leave the earlier stacks written when a later one fails.
 */
class SecurityPackAspect implements IAspect {
  constructor(private readonly stack: TerraformStack) {}

  visit(node: IConstruct): void {
    if (node === this.stack) assertCompliant(this.stack.node.root);
  }
}

/** Adds the pack to `stack`: every synth of it checks the rules. */
export function applySecurityPack(stack: TerraformStack, packOptions: SecurityPackOptions): void {
  options.set(stack, packOptions);
  Aspects.of(stack).add(new SecurityPackAspect(stack));
}

/** Runs the pack over `stack` without synthesizing it. */
export function evaluate(stack: TerraformStack): ComplianceReport {
  const packOptions = options.get(stack);
  if (!packOptions) throw new Error(`${stack.node.path}: the security pack was never applied (applySecurityPack)`);
  const rules = (packOptions.rules ?? RULES).filter((r) => packOptions.production || !r.productionOnly);
  const view = viewOf(stack);
  const waivers = waiversIn(stack);
  const used = new Set<(typeof waivers)[number]>();
  const violations: Finding[] = [];
  const waived: WaivedFinding[] = [];
  let checks = 0;
  const checked = new Set<string>();
  for (const rule of rules) {
    for (const resource of rule.types.flatMap((type) => view.ofType(type))) {
      checks++;
      checked.add(resource.address);
      const message = rule.check(resource, view);
      if (!message) continue;
      const waiver = waivers.find((w) => w.rule === rule.id && (resource.path === w.path || resource.path.startsWith(`${w.path}/`)));
      if (waiver) {
        used.add(waiver);
        waived.push({ rule: rule.id, resource: resource.path, message, reason: waiver.reason });
      } else {
        violations.push({ rule: rule.id, resource: resource.path, message });
      }
    }
  }
  return {
    stack: view.stack,
    production: packOptions.production,
    rules: rules.length,
    resourcesChecked: checked.size,
    checks,
    violations,
    waived,
    unusedWaivers: waivers.filter((w) => !used.has(w)).map((w) => ({ rule: w.rule, resource: w.path, reason: w.reason })),
  };
}

const evaluated = new WeakMap<IConstruct, ComplianceReport[]>();

/**
 * Every stack of the app `root` that carries the pack, evaluated once per
 * app; throws listing every problem in all of them.
 */
export function assertCompliant(root: IConstruct): ComplianceReport[] {
  let reports = evaluated.get(root);
  if (!reports) {
    reports = root.node
      .findAll()
      .filter((c): c is TerraformStack => TerraformStack.isStack(c) && options.has(c))
      .map(evaluate);
    evaluated.set(root, reports);
  }
  if (reports.some((r) => r.violations.length || r.unusedWaivers.length)) throw new SecurityViolationError(reports);
  return reports;
}

/** One stack's result in a few lines, for the synth log. */
export function summarize(report: ComplianceReport): string {
  const head = `${report.stack}: ${report.rules} rules, ${report.checks} checks on ${report.resourcesChecked} resources — ${report.violations.length} findings, ${report.waived.length} waived`;
  return [head, ...report.waived.map((w) => `  waived ${w.rule} ${w.resource}: ${w.reason}`)].join('\n');
}

function waiversIn(stack: TerraformStack): { rule: string; reason: string; path: string }[] {
  const stackPath = stack.node.path;
  return stack.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === WAIVER)
      .map((m) => {
        const data = m.data as Waiver;
        return { ...data, path: c.node.path.slice(stackPath.length + 1) };
      }),
  );
}


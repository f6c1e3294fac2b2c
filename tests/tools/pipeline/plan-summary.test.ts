/**
 * The pull request comment: a real plan from the offline Terraform runner,
 * hand-made plans with replacements, destroys and a touched state backend,
 * the cost diff, and the create-or-update call to GitHub.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { upsertComment, type Fetch } from '../../../tools/pipeline/github-comment';
import { COMMENT_MARKER, parseStackPlan, renderComment, renderStackSummary, statePlaceOf, summarizePlan, type ShowJson } from '../../../tools/pipeline/plan-report';
import { buildComment, parseSummaryArgs } from '../../../tools/pipeline/plan-summary';
import { offlinePlan } from '../../../tools/lib/terraform';
import { synthApp } from '../../support/synth';

let devPlan: ShowJson;
let outdir: string;

beforeAll(async () => {
  ({ outdir } = await synthApp());
  devPlan = (await offlinePlan(join(outdir, 'stacks', 'dev'))).plan as unknown as ShowJson;
}, 300_000);

/** A plan with one of each thing the comment must call out. */
function handMadePlan(stateBucket: string): ShowJson {
  const change = (address: string, actions: string[], extra: Record<string, unknown> = {}) => ({
    address,
    mode: 'managed',
    type: address.split('.')[0]!,
    change: { actions, before: {}, after: {}, ...extra },
  });
  return {
    resource_changes: [
      change('aws_launch_template.fleet', ['create', 'delete'], { replace_paths: [['image_id']] }),
      { ...change('aws_lb.alb', ['delete']), action_reason: 'delete_because_no_resource_config' },
      change('aws_autoscaling_group.fleet', ['update']),
      change('aws_sns_topic.alerts', ['create']),
      change('aws_s3_bucket_policy.state', ['update'], { before: { bucket: stateBucket }, after: { bucket: stateBucket } }),
      change('aws_vpc.main', ['no-op']),
      { address: 'data.aws_caller_identity.me', mode: 'data', type: 'aws_caller_identity', change: { actions: ['read'] } },
    ],
  };
}

describe('a real plan (dev, offline, empty state)', () => {
  it('counts only creates, flags nothing, and reports it as a clean table row', () => {
    const managedCreates = (devPlan.resource_changes ?? []).filter((c) => c.mode === 'managed' && c.change.actions.includes('create')).length;
    expect(managedCreates).toBeGreaterThan(30);
    const summary = summarizePlan('dev', devPlan);
    expect(summary).toMatchObject({ add: managedCreates, change: 0, destroy: 0, dangerous: [] });
    const comment = renderComment([summary], ['dev']);
    expect(comment.startsWith(COMMENT_MARKER)).toBe(true);
    expect(comment).toContain(`| dev | ${managedCreates} | 0 | 0 | ✅ |`);
    expect(comment).not.toContain('[!WARNING]');
    expect(comment).not.toContain('[!CAUTION]');
  });
});

describe('hand-made plans', () => {
  const place = { bucket: 'web-app-tfstate-123456789012', table: 'web-app-tflock' };
  const summary = summarizePlan('prod', handMadePlan(place.bucket), place);

  it('counts as terraform does: a replacement is one add and one destroy; reads and no-ops are not changes', () => {
    expect(summary).toMatchObject({ add: 2, change: 2, destroy: 2 });
    expect(summary.changes!.map((c) => [c.address, c.kind])).toEqual([
      ['aws_launch_template.fleet', 'replace'],
      ['aws_lb.alb', 'delete'],
      ['aws_autoscaling_group.fleet', 'update'],
      ['aws_sns_topic.alerts', 'create'],
      ['aws_s3_bucket_policy.state', 'update'],
    ]);
  });

  it('puts the state backend first, then replacements and destroys, before the table', () => {
    const comment = renderComment([summary, summarizePlan('dev', { resource_changes: [] })], ['dev', 'prod', 'staging']);
    const caution = comment.indexOf('[!CAUTION]');
    const warning = comment.indexOf('[!WARNING]');
    const table = comment.indexOf('| stack |');
    expect(caution).toBeGreaterThan(0);
    expect(caution).toBeLessThan(warning);
    expect(warning).toBeLessThan(table);
    expect(comment).toContain('> - **prod**: update `aws_s3_bucket_policy.state`');
    expect(comment).toContain('> - **prod**: 🔁 **replace** `aws_launch_template.fleet` — forced by `image_id`');
    expect(comment).toContain('> - **prod**: 🗑️ **destroy** `aws_lb.alb` — it was removed from the configuration');
    expect(comment).toContain('| prod | 2 | 2 | 2 | 🚨 state backend |');
    expect(comment).toContain('| dev | 0 | 0 | 0 | ✅ no changes |');
    // staging's plan never arrived: the comment says so rather than leaving it out.
    expect(comment).toContain('| staging | – | – | – | ❌ no plan');
  });

  it('one stack, as the approval gate shows it: counts, the state backend first, then replacements, destroys, updates, creates', () => {
    const text = renderStackSummary(summary, 'state serial 7');
    expect(text.split('\n').slice(0, 4)).toEqual(['## Plan: prod', '', '_state serial 7_', '']);
    expect(text).toContain('| 2 | 2 | 2 |');
    const order = ['[!CAUTION]', '🔁 **replace** `aws_launch_template.fleet`', '🗑️ **destroy** `aws_lb.alb`', '- update `aws_autoscaling_group.fleet`', '- create `aws_sns_topic.alerts`'].map((line) => text.indexOf(line));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect(renderStackSummary(summarizePlan('dev', { resource_changes: [] }))).toContain('No changes.');
  });

  it('a destroy without the state backend is a warning, not a caution', () => {
    const plan: ShowJson = { resource_changes: [{ address: 'aws_lb.alb', type: 'aws_lb', change: { actions: ['delete'] } }] };
    const comment = renderComment([summarizePlan('dev', plan, place)], ['dev']);
    expect(comment).not.toContain('[!CAUTION]');
    expect(comment).toContain('| dev | 0 | 0 | 1 | ⚠️ 1 destroy |');
  });

  it('every change to the state-backend stack itself is dangerous', () => {
    const plan: ShowJson = { resource_changes: [{ address: 'aws_dynamodb_table.lock', type: 'aws_dynamodb_table', change: { actions: ['update'] } }] };
    expect(summarizePlan('state-backend', plan).dangerous).toHaveLength(1);
  });

  it('the state place comes from the stack’s S3 backend', async () => {
    const { stacks } = await synthApp();
    const backend = stacks.dev!.terraform.backend!.s3!;
    expect(statePlaceOf(stacks.dev!)).toEqual({ bucket: backend.bucket, table: backend.dynamodb_table });
  });
});

describe('npm run plan-summary', () => {
  it('reads plans/<stack>.json (the summaries the plan jobs wrote) for the stacks of the manifest, and the cost diff', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plans-'));
    const plans = join(dir, 'plans');
    mkdirSync(plans);
    writeFileSync(join(plans, 'dev.json'), JSON.stringify(summarizePlan('dev', devPlan)));
    writeFileSync(join(plans, 'prod.json'), JSON.stringify(summarizePlan('prod', handMadePlan('nobody'))));
    const cost = join(dir, 'cost-diff.json');
    writeFileSync(
      cost,
      JSON.stringify({ diffs: [{ stack: 'prod', before: 100, after: 112.5, changes: [{ resource: 'web-app-prod-web (Auto Scaling group)', unit: 'Spot unit-hours', before: 10, after: 22.5 }] }] }),
    );
    const comment = buildComment(parseSummaryArgs(['--plans', plans, '--synth', outdir, '--cost', cost]), 'https://github.com/o/r/actions/runs/1');
    expect(comment).toMatch(/\| dev \| \d+ \| 0 \| 0 \| ✅ \|/);
    expect(comment).toContain('| prod | 2 | 2 | 2 | ⚠️ 1 replace, 1 destroy |');
    expect(comment).toContain('| staging | – | – | – | ❌ no plan');
    expect(comment).not.toContain('| state-backend |');
    expect(comment).toContain('| prod | $100.00 | $112.50 | +$12.50 |');
    expect(comment).toContain('- +$12.50 prod · web-app-prod-web (Auto Scaling group) — Spot unit-hours');
    expect(comment).toContain('[this run](https://github.com/o/r/actions/runs/1)');
  });

  it('refuses a file that is not the summary of its stack (a raw plan, another stack)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'plans-'));
    writeFileSync(join(dir, 'dev.json'), JSON.stringify(devPlan));
    expect(() => buildComment(parseSummaryArgs(['--plans', dir, '--synth', outdir]))).toThrow('not a plan summary of dev');
    writeFileSync(join(dir, 'dev.json'), JSON.stringify(summarizePlan('prod', { resource_changes: [] })));
    expect(() => parseStackPlan(readFileSync(join(dir, 'dev.json'), 'utf8'), 'dev')).toThrow('not a plan summary of dev');
  });

  it('--post without the GitHub environment is one line and exit 2', () => {
    const result = spawnSync(process.execPath, ['--require', 'tsx/cjs', 'tools/pipeline/plan-summary.ts', '--plans', tmpdir(), '--synth', outdir, '--post'], {
      encoding: 'utf8',
      env: { ...process.env, GITHUB_TOKEN: '', PR_NUMBER: '' },
    });
    expect(result.status).toBe(2);
    expect(result.stderr.trim()).toBe('plan-summary: --post needs GITHUB_TOKEN, GITHUB_REPOSITORY and PR_NUMBER in the environment');
  });
});

describe('the comment on GitHub', () => {
  type Call = { url: string; method: string; body?: string };

  function fakeGitHub(pages: Array<Array<{ id: number; body: string }>>, failWith?: number): { fetch: Fetch; calls: Call[] } {
    const calls: Call[] = [];
    const fetchImpl: Fetch = async (url, init) => {
      const method = init?.method ?? 'GET';
      calls.push({ url, method, ...(init?.body ? { body: init.body } : {}) });
      if (failWith) return { ok: false, status: failWith, json: async () => ({}), text: async () => 'Resource not accessible by integration' };
      const page = Number(new URL(url).searchParams.get('page') ?? 1);
      const payload = method === 'GET' ? (pages[page - 1] ?? []) : { id: 999 };
      return { ok: true, status: 200, json: async () => payload, text: async () => '' };
    };
    return { fetch: fetchImpl, calls };
  }
  const target = { token: 't', repo: 'o/r', pr: 7, apiUrl: 'https://api.example' };
  const filler = Array.from({ length: 100 }, (_, i) => ({ id: i + 1, body: 'lgtm' }));

  it('updates the comment an earlier run left, looking past the first page', async () => {
    const github = fakeGitHub([filler, [{ id: 4242, body: `${COMMENT_MARKER}\nold` }]]);
    expect(await upsertComment(target, 'new', COMMENT_MARKER, github.fetch)).toEqual({ action: 'updated', id: 4242 });
    expect(github.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET https://api.example/repos/o/r/issues/7/comments?per_page=100&page=1',
      'GET https://api.example/repos/o/r/issues/7/comments?per_page=100&page=2',
      'PATCH https://api.example/repos/o/r/issues/comments/4242',
    ]);
    expect(JSON.parse(github.calls.at(-1)!.body!)).toEqual({ body: 'new' });
  });

  it('creates one when there is none', async () => {
    const github = fakeGitHub([[{ id: 1, body: 'lgtm' }]]);
    expect(await upsertComment(target, 'new', COMMENT_MARKER, github.fetch)).toEqual({ action: 'created', id: 999 });
    expect(github.calls.at(-1)!.method).toBe('POST');
  });

  it('a refused call is an error naming the status', async () => {
    await expect(upsertComment(target, 'new', COMMENT_MARKER, fakeGitHub([], 403).fetch)).rejects.toThrow(/HTTP 403 Resource not accessible/);
  });
});

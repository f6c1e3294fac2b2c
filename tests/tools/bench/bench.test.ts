/** The benchmark's pure parts (tools/bench/): statistics, the barrel rewriter, the provider scanner, the environment generator, the profile summarizer. */
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environmentFileText, generateEnvironments, writeEnvironments } from '../../../tools/bench/envgen';
import { layers, testFiles } from '../../../tools/bench/layers';
import { cdktfSynthEnv, withNodeFlags } from '../../../tools/bench/proc';
import { summarizeProfile, type CpuProfile } from '../../../tools/bench/profile';
import { linearVerdict } from '../../../tools/bench/report';
import { checkNamespaces, namespaceFor, readBarrelNamespaces, rewriteToBarrel } from '../../../tools/bench/rewrite';
import { providerImportsIn, scanProviderUsage } from '../../../tools/bench/scan';
import { fitLinear, median, segmentSlopes, summarize } from '../../../tools/bench/stats';
import { floorSource } from '../../../tools/bench/variants';
import dev from '../../../environments/dev';
import prod from '../../../environments/prod';
import { readEnvironmentSources, validateEnvironments } from '../../../environments/load';
import { overlaps, parseCidr } from '../../../modules/network/cidr';
import { ROOT } from '../../support/paths';

describe('test layers', () => {
  it('find every test file in the tree, and each special layer its own files', () => {
    const files = testFiles(ROOT);
    expect(files).toContain('tests/stacks/environment-values.test.ts');
    const byId = Object.fromEntries(layers(files).map((layer) => [layer.id, layer.files]));
    expect(byId.terraform).toEqual(['tests/stacks/terraform.test.ts', 'tests/tools/lib/terraform-harness.test.ts']);
    expect(byId.sandbox).toEqual(['tests/tools/sandbox/sandbox.test.ts']);
    expect(byId.e2e).toEqual(['tests/tools/sandbox/e2e.test.ts']);
    expect(byId.unit).toHaveLength(files.length - 4);
  });
});

describe('median and spread', () => {
  it('takes the middle value, or the mean of the two middle values', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
    expect(() => median([])).toThrow(/no values/);
  });

  it('summarizes with min and max and keeps the samples in order', () => {
    expect(summarize([1.2, 0.9, 1.5, 1.1])).toEqual({ median: 1.15, min: 0.9, max: 1.5, runs: 4, samples: [1.2, 0.9, 1.5, 1.1] });
  });
});

describe('least-squares line', () => {
  it('recovers an exact line', () => {
    const fit = fitLinear([
      [0, 1],
      [1, 3],
      [2, 5],
    ]);
    expect(fit.a).toBeCloseTo(1, 12);
    expect(fit.b).toBeCloseTo(2, 12);
    expect(fit.r2).toBeCloseTo(1, 12);
  });

  it('matches a hand-computed fit of scattered points', () => {
    // x̄ = 2.5, ȳ = 3.5, Sxy = 4, Sxx = 5 → b = 0.8, a = 1.5; SSE = 1.8, SST = 5 → R² = 0.64.
    const fit = fitLinear([
      [1, 2],
      [2, 3],
      [3, 5],
      [4, 4],
    ]);
    expect(fit.b).toBeCloseTo(0.8, 12);
    expect(fit.a).toBeCloseTo(1.5, 12);
    expect(fit.r2).toBeCloseTo(0.64, 12);
    expect(fit.residuals.map((r) => Number(r.toFixed(10)))).toEqual([-0.3, -0.1, 1.1, -0.7]);
  });

  it('refuses what is not a line problem', () => {
    expect(() => fitLinear([[1, 1]])).toThrow(/two points/);
    expect(() => fitLinear([[2, 1], [2, 3]])).toThrow(/distinct/);
  });

  it('calls a line linear when it stays within every point\'s spread, and a curve not', () => {
    const xs = [1, 4, 20, 50];
    const runs = (y: number, noise: number) => summarize([y - noise, y, y + noise]);
    const judge = (f: (n: number) => number, noise: number) => {
      const points = xs.map((x) => ({ x, time: runs(f(x), noise) }));
      const xy = points.map((p) => [p.x, p.time.median] as const);
      return linearVerdict(fitLinear(xy), points, segmentSlopes(xy));
    };
    expect(judge((n) => 0.85 + 0.06 * n, 0.01).linear).toBe(true);
    // Noisy but straight: 1.0 + 0.06n with one median off by 0.05 inside a ±0.1 spread.
    expect(judge((n) => 1 + 0.06 * n + (n === 4 ? 0.05 : 0), 0.1).linear).toBe(true);
    // A mild curve: R² still ≥ 0.99, but the line leaves the runs' spread.
    const mild = judge((n) => 1 + 0.04 * n + 0.0004 * n * n, 0.005);
    expect(mild.why).toMatch(/R² = 0\.99[0-9]{2};/);
    expect(mild.linear).toBe(false);
    const curve = judge((n) => 0.85 + 0.002 * n * n, 0.05);
    expect(curve.linear).toBe(false);
    expect(curve.why).toMatch(/misses the runs' min–max and 5 % of the median at N = /);
    expect(segmentSlopes([[4, 2], [1, 1], [20, 3]]).map((s) => [s.from, s.to])).toEqual([
      [1, 4],
      [4, 20],
    ]);
  });
});

describe('barrel rewriter', () => {
  it('names the barrel namespace of a lib module in camelCase', () => {
    expect(namespaceFor('data-aws-iam-policy-document')).toBe('dataAwsIamPolicyDocument');
    expect(namespaceFor('route53-zone')).toBe('route53Zone');
    expect(namespaceFor('cloud9-environment-ec2')).toBe('cloud9EnvironmentEc2');
    expect(namespaceFor('provider')).toBe('provider');
  });

  it('rewrites named, aliased, type-only and multi-line imports, keeping line numbers', () => {
    const source = [
      "import { Vpc } from '@cdktf/provider-aws/lib/vpc';",
      'import {',
      '  CloudwatchMetricAlarm,',
      '  type CloudwatchMetricAlarmConfig,',
      "} from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';",
      "import { S3BucketVersioningA as S3BucketVersioning } from '@cdktf/provider-aws/lib/s3-bucket-versioning';",
      "import type { AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';",
      "import { Construct } from 'constructs';",
      "const path = '@cdktf/provider-aws/lib/vpc'; // a string, not an import",
      '',
    ].join('\n');
    const expected = [
      "import { vpc as aws_vpc } from '@cdktf/provider-aws'; import Vpc = aws_vpc.Vpc;",
      "import { cloudwatchMetricAlarm as aws_cloudwatchMetricAlarm } from '@cdktf/provider-aws'; import CloudwatchMetricAlarm = aws_cloudwatchMetricAlarm.CloudwatchMetricAlarm; type CloudwatchMetricAlarmConfig = aws_cloudwatchMetricAlarm.CloudwatchMetricAlarmConfig;",
      '',
      '',
      '',
      "import { s3BucketVersioning as aws_s3BucketVersioning } from '@cdktf/provider-aws'; import S3BucketVersioning = aws_s3BucketVersioning.S3BucketVersioningA;",
      "import type { provider as aws_provider } from '@cdktf/provider-aws'; type AwsProviderConfig = aws_provider.AwsProviderConfig;",
      "import { Construct } from 'constructs';",
      "const path = '@cdktf/provider-aws/lib/vpc'; // a string, not an import",
      '',
    ].join('\n');
    const result = rewriteToBarrel('sample.ts', source);
    expect(result.text).toBe(expected);
    expect(result.namespaces).toEqual(['vpc', 'cloudwatchMetricAlarm', 's3BucketVersioning', 'provider']);
    expect(result.text.split('\n')).toHaveLength(source.split('\n').length);
  });

  it('imports a namespace once when a file imports the same module twice', () => {
    const source = "import { Vpc } from '@cdktf/provider-aws/lib/vpc';\nimport { type VpcConfig } from '@cdktf/provider-aws/lib/vpc';\n";
    expect(rewriteToBarrel('twice.ts', source).text).toBe(
      "import { vpc as aws_vpc } from '@cdktf/provider-aws'; import Vpc = aws_vpc.Vpc;\ntype VpcConfig = aws_vpc.VpcConfig;\n",
    );
  });

  it('leaves a file without provider imports untouched, and refuses forms it cannot rewrite', () => {
    const plain = "import { App } from 'cdktf';\n";
    expect(rewriteToBarrel('plain.ts', plain)).toEqual({ text: plain, namespaces: [] });
    expect(() => rewriteToBarrel('ns.ts', "import * as vpc from '@cdktf/provider-aws/lib/vpc';\n")).toThrow(/unsupported import form/);
    expect(() => rewriteToBarrel('re.ts', "export { Vpc } from '@cdktf/provider-aws/lib/vpc';\n")).toThrow(/unsupported reference/);
    expect(() => rewriteToBarrel('req.ts', "const x = require('@cdktf/provider-aws/lib/vpc');\n")).toThrow(/unsupported reference/);
    expect(() => rewriteToBarrel('clash.ts', "import { Vpc } from '@cdktf/provider-aws/lib/vpc';\nconst aws_vpc = 1;\n")).toThrow(/already used/);
  });

  it('checks namespaces against the barrel index the package ships', () => {
    const barrel = readBarrelNamespaces(ROOT);
    expect(barrel.get('autoscalingGroup')).toBe('autoscaling-group');
    expect(barrel.get('dataAwsCallerIdentity')).toBe('data-aws-caller-identity');
    expect(barrel.get('provider')).toBe('provider');
    expect(checkNamespaces(scanProviderUsage(ROOT).classes.keys(), barrel)).toEqual([]);
    expect(checkNamespaces(['no-such-resource'], barrel)).toEqual(['the barrel has no namespace noSuchResource (for lib/no-such-resource)']);
  });
});

describe('provider-class scanner', () => {
  const usage = scanProviderUsage(ROOT);

  /** Every `@cdktf/provider-aws/lib/x` in the app's directories, by plain text search. */
  function grepModules(): Set<string> {
    const walk = (p: string): string[] => (statSync(p).isDirectory() ? readdirSync(p).flatMap((e) => walk(join(p, e))) : p.endsWith('.ts') ? [p] : []);
    const files = ['main.ts', 'environments', 'modules', 'stacks'].flatMap((p) => walk(join(ROOT, p)));
    return new Set(files.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/from '@cdktf\/provider-aws\/lib\/([a-z0-9-]+)'/g)].map((m) => m[1]!)));
  }

  it('finds every provider module the app imports, and only those', () => {
    expect(new Set(usage.classes.keys())).toEqual(grepModules());
    expect(usage.classes.get('provider')).toEqual(['AwsProvider']);
    expect(usage.classes.get('vpc')).toEqual(['Vpc']);
    expect(usage.classes.get('s3-bucket-versioning')).toEqual(['S3BucketVersioningA']);
    expect(usage.classes.get('cloudwatch-metric-alarm')).toEqual(['CloudwatchMetricAlarm']);
  });

  it('scans the app and what it imports, not tests or scripts', () => {
    expect(usage.files).toContain('main.ts');
    expect(usage.files).toContain('stacks/target.ts');
    expect(usage.files).toContain('environments/dev.ts');
    expect(usage.files.filter((f) => f.startsWith('tests/') || f.startsWith('tools/'))).toEqual([]);
  });

  it('reads names from one source, type-only ones marked', () => {
    const found = providerImportsIn('x.ts', "import { AwsProvider, type AwsProviderConfig } from '@cdktf/provider-aws/lib/provider';\n");
    expect(found.map((f) => [f.module, f.names])).toEqual([
      [
        'provider',
        [
          { imported: 'AwsProvider', local: 'AwsProvider', typeOnly: false },
          { imported: 'AwsProviderConfig', local: 'AwsProviderConfig', typeOnly: true },
        ],
      ],
    ]);
  });

  it('generates a floor that loads cdktf and exactly those classes', () => {
    const source = floorSource(usage);
    const imported = [...source.matchAll(/from '@cdktf\/provider-aws\/lib\/([a-z0-9-]+)'/g)].map((m) => m[1]);
    expect(imported).toEqual([...usage.classes.keys()]);
    expect(source).toContain("import * as cdktf from 'cdktf';");
    expect(source).toContain('AwsProvider as provider_AwsProvider');
    expect(source).toMatch(/^void \[cdktf, .*provider_AwsProvider.*\];$/m);
    expect(source).not.toMatch(/main|stacks|environments/);
  });
});

describe('environment generator', () => {
  it('makes 50 environments that pass validation, with distinct names, CIDRs and zones', () => {
    const envs = generateEnvironments(dev, 50);
    const specs = validateEnvironments(envs.map((data, i) => ({ file: `gen${i}.ts`, data })));
    expect(specs).toHaveLength(50);
    expect(new Set(specs.map((s) => s.name)).size).toBe(50);
    expect(new Set(specs.map((s) => s.dns!.zone.name)).size).toBe(50);
    const cidrs = specs.map((s) => parseCidr(s.network.vpcCidr!)!);
    cidrs.forEach((a, i) => cidrs.slice(i + 1).forEach((b) => expect(overlaps(a, b)).toBe(false)));
    // The rest is dev's shape.
    expect(specs.every((s) => s.scaling.schedules.length === dev.scaling!.schedules!.length && s.region === dev.region)).toBe(true);
  });

  it('does not change its base', () => {
    const before = JSON.stringify(dev);
    generateEnvironments(dev, 3);
    expect(JSON.stringify(dev)).toBe(before);
  });

  it('writes files the app reads back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-envs-'));
    const paths = writeEnvironments(dir, generateEnvironments(dev, 2));
    expect(paths.map((p) => p.slice(dir.length + 1))).toEqual(['bench001.ts', 'bench002.ts']);
    expect(validateEnvironments(await readEnvironmentSources(dir)).map((s) => s.name)).toEqual(['bench001', 'bench002']);
    const text = environmentFileText(generateEnvironments(dev, 1)[0]!);
    expect(text).toMatch(/^\/\/ Generated by tools\/bench\/envgen\.ts/);
    expect(JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1))).toMatchObject({ name: 'bench001', network: { vpcCidr: '10.1.0.0/16' } });
  });

  it('refuses counts it cannot number and a base with a standby region', () => {
    expect(() => generateEnvironments(dev, 0)).toThrow(/count/);
    expect(() => generateEnvironments(dev, 251)).toThrow(/count/);
    expect(() => generateEnvironments(prod, 2)).toThrow(/failover/);
  });
});

describe('running as cdktf does', () => {
  it('passes the environment cdktf-cli gives the app', () => {
    const env = cdktfSynthEnv('/out', { PATH: '/bin', TF_VAR_secret: 'x' }, { app: 'node x.ts', context: { a: 1 }, terraformModules: ['./local', 'registry/mod'] });
    expect(env).toEqual({
      PATH: '/bin',
      NODE_OPTIONS: '--max-old-space-size=4096',
      CDKTF_OUTDIR: '/out',
      CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS: 'true',
      CDKTF_CONTEXT_JSON: JSON.stringify({ a: 1, cdktfRelativeModules: ['./local'] }),
      SYNTH_HCL_OUTPUT: 'false',
    });
    expect(cdktfSynthEnv('/o', { NODE_OPTIONS: '--inspect' }, { app: '' }).NODE_OPTIONS).toBe('--inspect');
  });

  it('adds node flags to a node command only', () => {
    expect(withNodeFlags('node --require tsx/cjs main.ts', '--cpu-prof')).toBe('node --cpu-prof --require tsx/cjs main.ts');
    expect(() => withNodeFlags('npx tsx main.ts', '--cpu-prof')).toThrow(/node/);
  });
});

describe('profile summarizer', () => {
  // root → main (main.ts) → buildStacks (stacks/index.ts) → resolve (cdktf); plus a GC sample and a loader sample.
  const url = (p: string) => `file://${ROOT}/${p}`;
  const profile: CpuProfile = {
    nodes: [
      { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 5, 6] },
      { id: 2, callFrame: { functionName: 'main', url: url('main.ts'), lineNumber: 10 }, children: [3] },
      { id: 3, callFrame: { functionName: 'buildStacks', url: url('stacks/index.ts'), lineNumber: 3 }, children: [4] },
      { id: 4, callFrame: { functionName: 'resolve', url: url('node_modules/cdktf/lib/tokens/private/resolve.js'), lineNumber: 1 } },
      { id: 5, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
      { id: 6, callFrame: { functionName: 'Module._load', url: 'node:internal/modules/cjs/loader', lineNumber: 1 } },
    ],
    startTime: 0,
    endTime: 11_000,
    // Each sample lasts until the next: 4 → 3000 µs, 5 → 2000, 4 → 1000, 6 → 5000 (to endTime).
    samples: [4, 5, 4, 6],
    timeDeltas: [0, 3000, 2000, 1000],
  };

  it('splits time by phase, package and activity', () => {
    const s = summarizeProfile(profile, ROOT);
    expect(s.totalMs).toBe(11);
    expect(s.byPhase.map((r) => [r.key, r.ms])).toEqual([
      ['outside main(): startup and module loading', 5],
      ['buildStacks (stacks/index.ts)', 4],
      ['garbage collection (any phase)', 2],
    ]);
    expect(s.byPackage.find((r) => r.key === 'cdktf')?.ms).toBe(4);
    expect(s.byActivity.find((r) => r.key === 'run: cdktf')?.ms).toBe(4);
    expect(s.byFile[0]).toMatchObject({ key: 'node:internal/modules/cjs/loader', ms: 5 });
    expect(s.byFile[1]?.key).toBe('cdktf/lib/tokens/private/resolve.js');
    expect(s.byFile[1]?.share).toBeCloseTo(4 / 11, 12);
  });
});

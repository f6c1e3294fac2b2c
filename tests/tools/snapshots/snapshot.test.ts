/** The snapshot normalizer and the by-address diff (tools/synth-model/snapshot.ts), on hand-made stacks. */
import { describe, expect, it } from 'vitest';
import { assetReferences, compareSnapshot, describeChanges, diffStacks, MAX_LINE, normalizeStack, renderChange, snapshotText } from '../../../tools/synth-model/snapshot';
import type { TfJson } from '../../../tools/synth-model/tf-json';

/** A stack with a Lambda bundle and an S3 object uploaded from a file, both cdktf assets, and their hashes. */
function twoAssets(contentHash: string, bundleHash: string, codeHash: string, etag: string): TfJson {
  return {
    terraform: {},
    resource: {
      aws_lambda_function: {
        api_handler_function_5E6F7A8B: {
          function_name: 'api',
          filename: `assets/api_handler_code_1A2B3C4D/${contentHash}/${bundleHash}.zip`,
          source_code_hash: codeHash,
        },
      },
      aws_s3_object: {
        site_index_9C0D1E2F: {
          bucket: 'site',
          // An ordinary key that only starts like an asset path.
          key: 'assets/img/logo.png',
          source: `assets/site_index_content_0A1B2C3D/${contentHash}/index.html`,
          etag,
        },
      },
    },
  };
}

const ORIGINAL = twoAssets('55C53F16A89CED014EBEBB19822AF1C1', 'ec646813a6eb7956', '7GRoE6breVb7b0jRFremE4KEk5vgpUYXqemUloOGK/w=', 'd41d8cd98f00b204e9800998ecf8427e');
const EDITED = twoAssets('0123456789ABCDEF0123456789ABCDEF', '1122334455667788', 'AAAAE6breVb7b0jRFremE4KEk5vgpUYXqemUloOGK/w=', '00000000000000000000000000000000');

describe('normalizeStack', () => {
  it('names each asset instead of its path, and each hash beside one as that asset’s hash', () => {
    const normalized = normalizeStack(ORIGINAL);
    expect(normalized.resource?.aws_lambda_function?.api_handler_function_5E6F7A8B).toEqual({
      function_name: 'api',
      filename: '<asset api_handler_code>',
      source_code_hash: '<hash of asset api_handler_code>',
    });
    expect(normalized.resource?.aws_s3_object?.site_index_9C0D1E2F).toEqual({
      bucket: 'site',
      key: 'assets/img/logo.png',
      source: '<asset site_index_content/index.html>',
      etag: '<hash of asset site_index_content/index.html>',
    });
  });

  it('gives the same text when only the assets’ content (and so every hash) changed', () => {
    expect(snapshotText(EDITED)).toBe(snapshotText(ORIGINAL));
    expect(snapshotText(ORIGINAL)).not.toMatch(/55C53F16|ec646813|7GRoE6|d41d8cd9/);
  });

  it('leaves its input as it was', () => {
    const before = JSON.stringify(ORIGINAL);
    normalizeStack(ORIGINAL);
    expect(JSON.stringify(ORIGINAL)).toBe(before);
  });

  it('keeps the logical-id suffix when two assets would otherwise share a name', () => {
    const stack: TfJson = {
      terraform: {},
      data: { external: { a: { program: ['assets/code_11111111/ABCDEF0123456789/run.sh', 'assets/code_22222222/ABCDEF0123456789/run.sh'] } } },
    };
    expect(normalizeStack(stack).data?.external?.a?.program).toEqual(['<asset code_11111111/run.sh>', '<asset code_22222222/run.sh>']);
  });

  it('finds assets anywhere, by address, with the hashes beside them', () => {
    expect(assetReferences(ORIGINAL)).toEqual([
      {
        address: 'aws_lambda_function.api_handler_function_5E6F7A8B.filename',
        path: 'assets/api_handler_code_1A2B3C4D/55C53F16A89CED014EBEBB19822AF1C1/ec646813a6eb7956.zip',
        hashes: { source_code_hash: '7GRoE6breVb7b0jRFremE4KEk5vgpUYXqemUloOGK/w=' },
      },
      {
        address: 'aws_s3_object.site_index_9C0D1E2F.source',
        path: 'assets/site_index_content_0A1B2C3D/55C53F16A89CED014EBEBB19822AF1C1/index.html',
        hashes: { etag: 'd41d8cd98f00b204e9800998ecf8427e' },
      },
    ]);
  });
});

describe('diffStacks and renderChange', () => {
  const before: TfJson = {
    terraform: { backend: { s3: { key: 'web-app/dev/terraform.tfstate' } } },
    provider: { aws: [{ region: 'ap-northeast-2' }] },
    resource: {
      aws_autoscaling_group: { fleet: { max_size: 30, tag: [{ key: 'Name', value: 'web' }], tags: { 'kubernetes.io/role': 'web' } } },
      aws_flow_log: { y: { traffic_type: 'ALL' } },
    },
    data: { aws_iam_policy_document: { doc: { statement: [{ actions: ['s3:GetObject'] }] } } },
    output: { url: { value: 'a.example.com' } },
  };
  const after: TfJson = {
    terraform: { backend: { s3: { key: 'web-app/prod/terraform.tfstate' } } },
    provider: { aws: [{ region: 'ap-northeast-2', alias: 'standby' }] },
    resource: {
      aws_autoscaling_group: { fleet: { max_size: 31, tag: [{ key: 'Name', value: 'app' }], tags: { 'kubernetes.io/role': 'app' } } },
      aws_sns_topic: { x: { name: 'alerts' } },
    },
    data: { aws_iam_policy_document: { doc: { statement: [{ actions: ['s3:GetObject', 's3:ListBucket'] }] } } },
    output: { url: { value: 'b.example.com' } },
  };

  it('lists every change by Terraform-like address, sorted by block', () => {
    expect(diffStacks(before, after).map(renderChange)).toEqual([
      '~ aws_autoscaling_group.fleet.max_size: 30 → 31',
      '~ aws_autoscaling_group.fleet.tag[0].value: "web" → "app"',
      '~ aws_autoscaling_group.fleet.tags["kubernetes.io/role"]: "web" → "app"',
      '- aws_flow_log.y',
      '+ aws_sns_topic.x',
      '+ data.aws_iam_policy_document.doc.statement[0].actions[1]: "s3:ListBucket"',
      '~ output.url.value: "a.example.com" → "b.example.com"',
      '+ provider.aws[0].alias: "standby"',
      '~ terraform.backend.s3.key: "web-app/dev/terraform.tfstate" → "web-app/prod/terraform.tfstate"',
    ]);
  });

  it('quotes a top-level key that is not a plain name (cdktf’s stack metadata)', () => {
    const withMetadata = { terraform: {}, '//': { metadata: { version: '0.21.0' } } } as TfJson;
    expect(diffStacks({ terraform: {} }, withMetadata).map(renderChange)).toEqual(['+ ["//"].metadata']);
  });

  it('finds nothing between a stack and itself', () => {
    expect(diffStacks(before, structuredClone(before))).toEqual([]);
  });

  it('cuts long values so a line stays under the limit, keeping the address whole', () => {
    const policy = (effect: string) => JSON.stringify({ Statement: Array.from({ length: 20 }, (_, i) => ({ Sid: `S${i}`, Effect: effect })) });
    const [change] = diffStacks(
      { terraform: {}, resource: { aws_iam_policy: { p: { policy: policy('Allow') } } } },
      { terraform: {}, resource: { aws_iam_policy: { p: { policy: policy('Deny') } } } },
    );
    const line = renderChange(change!);
    expect(line.length).toBeLessThanOrEqual(MAX_LINE);
    expect(line).toMatch(/^~ aws_iam_policy\.p\.policy: "\{.*… → "\{.*…$/);
  });
});

describe('compareSnapshot', () => {
  const stack: TfJson = { terraform: {}, resource: { aws_sns_topic: { x: { name: 'alerts' } } } };

  it('matches the text it would write', () => {
    expect(compareSnapshot(snapshotText(stack), stack)).toMatchObject({ matches: true, changes: [] });
  });

  it('says a missing snapshot is missing, and lists everything as added', () => {
    expect(describeChanges(compareSnapshot(undefined, stack))).toEqual(['there is no committed snapshot', '+ aws_sns_topic.x']);
  });

  it('says when the committed file is not JSON, or differs only in layout', () => {
    expect(describeChanges(compareSnapshot('<<<<<<< HEAD', stack))[0]).toMatch(/^the committed snapshot is not JSON/);
    expect(describeChanges(compareSnapshot(JSON.stringify(stack), stack))).toEqual(['only formatting or key order differs']);
  });

  it('shows at most `limit` changes and says how many more there are', () => {
    const many: TfJson = { terraform: {}, resource: { aws_sns_topic: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`t${i}`, {}])) } };
    expect(describeChanges(compareSnapshot(snapshotText({ terraform: {} }), many), 2)).toEqual([
      '+ aws_sns_topic.t0',
      '+ aws_sns_topic.t1',
      '… and 3 more (npm run snapshots -- --check lists them all)',
    ]);
  });
});

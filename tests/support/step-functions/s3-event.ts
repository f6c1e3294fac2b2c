import type { JsonObject } from './json';

/**
 * The EventBridge event S3 sends when an object is created (the S3 user
 * guide's example, with the bucket, key, region and account given): what
 * starts a batch workflow execution.
 */
export function s3ObjectCreated({ bucket, key, region, account }: { bucket: string; key: string; region: string; account: string }): JsonObject {
  return {
    version: '0',
    id: '17793124-05d4-b198-2fde-7ededc63b103',
    'detail-type': 'Object Created',
    source: 'aws.s3',
    account,
    time: '2026-01-01T00:00:00Z',
    region,
    resources: [`arn:aws:s3:::${bucket}`],
    detail: {
      version: '0',
      bucket: { name: bucket },
      object: { key, size: 5, etag: 'b1946ac92492d2347c6235b4d2611184', 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e', sequencer: '617f08299329d189' },
      'request-id': 'N4N7GDK58NMKJ12R',
      requester: account,
      'source-ip-address': '1.2.3.4',
      reason: 'PutObject',
    },
  };
}

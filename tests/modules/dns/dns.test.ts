/** Route 53 names, certificates, health checks and failover, per environment variant. */
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { beforeAll, describe, expect, it } from 'vitest';
import { EndpointHealthCheck, type EndpointHealthCheckProps } from '../../../modules/dns';
import { type Block, findBy, only, ref, resourceList, resources, stackNamed, synthApp, synthConstruct, type TfJson, underPath } from '../../support/synth';

let stacks: Record<string, TfJson>;

beforeAll(async () => {
  stacks = (await synthApp()).stacks;
});

const stack = (name: string): TfJson => stackNamed(stacks, name);

function idOf(s: TfJson, type: string, block: Block): string {
  const entry = Object.entries(resources(s, type)).find(([, b]) => b === block);
  if (!entry) throw new Error(`block not found among ${type}`);
  return entry[0];
}

function record(s: TfJson, setIdentifier: string): Block {
  return findBy(s, 'aws_route53_record', 'set_identifier', setIdentifier);
}

describe('prod: warm standby in a second region', () => {
  it('declares the primary, standby and us-east-1 providers', () => {
    expect(stack('prod').provider?.aws?.map((p) => [p.alias ?? 'default', p.region])).toEqual([
      ['default', 'ap-northeast-2'],
      ['standby', 'ap-northeast-1'],
      ['us_east_1', 'us-east-1'],
    ]);
  });

  it('PRIMARY aliases the primary ALB, with target health and its health check', () => {
    const prod = stack('prod');
    const primaryAlb = ref(underPath(prod, 'prod/primary/'), 'aws_lb', 'dns_name');
    const primaryZone = ref(underPath(prod, 'prod/primary/'), 'aws_lb', 'zone_id');
    const check = ref(underPath(prod, 'prod/primary-health/'), 'aws_route53_health_check', 'id');
    expect(record(prod, 'primary')).toMatchObject({
      name: 'app.example.com',
      type: 'A',
      zone_id: 'Z0123456789EXAMPLE01',
      failover_routing_policy: { type: 'PRIMARY' },
      health_check_id: check,
      alias: { name: primaryAlb, zone_id: primaryZone, evaluate_target_health: true },
    });
  });

  it('SECONDARY aliases the standby ALB, with its own health check', () => {
    const prod = stack('prod');
    const standbyAlb = ref(underPath(prod, 'prod/standby/'), 'aws_lb', 'dns_name');
    const check = ref(underPath(prod, 'prod/standby-health/'), 'aws_route53_health_check', 'id');
    expect(record(prod, 'secondary')).toMatchObject({
      failover_routing_policy: { type: 'SECONDARY' },
      health_check_id: check,
      alias: { name: standbyAlb, evaluate_target_health: true },
    });
  });

  it('builds every standby resource and data source with the standby provider, and nothing else with it', () => {
    const prod = stack('prod');
    const standby = underPath(prod, 'prod/standby/');
    const standbyBlocks = [...Object.values(standby.resource ?? {}), ...Object.values(standby.data ?? {})].flatMap((byId) => Object.values(byId));
    expect(standbyBlocks.length).toBeGreaterThan(40);
    expect(standbyBlocks.every((block) => block.provider === 'aws.standby')).toBe(true);
    const primaryBlocks = Object.values(underPath(prod, 'prod/primary/').resource ?? {}).flatMap((byId) => Object.values(byId));
    expect(primaryBlocks.every((block) => block.provider === undefined)).toBe(true);
  });

  it('runs the standby at reduced, Spot-heavy capacity from the same modules', () => {
    const group = only(underPath(stack('prod'), 'prod/standby/'), 'aws_autoscaling_group');
    expect(group).toMatchObject({
      name: 'web-app-prod-dr-web',
      min_size: 1,
      max_size: 10,
      mixed_instances_policy: {
        instances_distribution: { on_demand_base_capacity: 1, on_demand_percentage_above_base_capacity: 0 },
      },
    });
    const subnets = resourceList(underPath(stack('prod'), 'prod/standby/'), 'aws_subnet');
    expect(new Set(subnets.map((s) => s.availability_zone))).toEqual(new Set(['ap-northeast-1a', 'ap-northeast-1c']));
    const policies = resourceList(underPath(stack('prod'), 'prod/standby/'), 'aws_autoscaling_policy');
    expect(policies.map((p) => p.policy_type).sort()).toEqual(['TargetTrackingScaling', 'TargetTrackingScaling']);
  });

  it('health checks: HTTPS 443 /health, threshold 3, every 10 s, ≥ 3 regions, SNI, latency', () => {
    const prod = stack('prod');
    const checks = resourceList(prod, 'aws_route53_health_check');
    expect(checks).toHaveLength(2);
    for (const check of checks) {
      expect(check).toMatchObject({
        type: 'HTTPS',
        port: 443,
        resource_path: '/health',
        failure_threshold: 3,
        request_interval: 10,
        enable_sni: true,
        measure_latency: true,
      });
      expect((check.regions as string[]).length).toBeGreaterThanOrEqual(3);
    }
    expect(only(underPath(prod, 'prod/primary-health/'), 'aws_route53_health_check').fqdn).toBe(
      ref(underPath(prod, 'prod/primary/'), 'aws_lb', 'dns_name'),
    );
  });

  it('alarms on HealthCheckStatus through the us-east-1 provider, into an encrypted us-east-1 topic', () => {
    const prod = stack('prod');
    const topics = resourceList(prod, 'aws_sns_topic').filter((t) => t.provider === 'aws.us_east_1');
    expect(topics).toHaveLength(1);
    const topic = topics[0] as Block;
    // A customer-managed key whose policy lets CloudWatch publish: alarms cannot use aws/sns.
    const [keyId] = Object.entries(resources(prod, 'aws_kms_key')).find(([, k]) => k.provider === 'aws.us_east_1') ?? [];
    expect(topic).toMatchObject({ provider: 'aws.us_east_1', kms_master_key_id: `\${aws_kms_key.${keyId}.arn}` });
    const topicArn = `\${aws_sns_topic.${idOf(prod, 'aws_sns_topic', topic)}.arn}`;
    const alarms = resourceList(prod, 'aws_cloudwatch_metric_alarm').filter((a) => a.namespace === 'AWS/Route53');
    expect(alarms).toHaveLength(2);
    for (const alarm of alarms) {
      expect(alarm).toMatchObject({
        provider: 'aws.us_east_1',
        metric_name: 'HealthCheckStatus',
        statistic: 'Minimum',
        comparison_operator: 'LessThanThreshold',
        threshold: 1,
        alarm_actions: [topicArn],
        ok_actions: [topicArn],
      });
    }
    expect(resourceList(prod, 'aws_sns_topic_subscription').filter((s) => s.provider === 'aws.us_east_1')).toEqual([
      expect.objectContaining({ protocol: 'email', endpoint: 'oncall@example.com', topic_arn: topicArn }),
    ]);
  });

  it('issues and DNS-validates a certificate per region, and the listeners use the validated ARN', () => {
    const prod = stack('prod');
    for (const [path, provider] of [
      ['prod/certificate/', undefined],
      ['prod/standby/certificate/', 'aws.standby'],
    ] as const) {
      const part = underPath(prod, path);
      expect(only(part, 'aws_acm_certificate')).toMatchObject({ domain_name: 'app.example.com', validation_method: 'DNS' });
      expect(only(part, 'aws_acm_certificate').provider).toBe(provider);
      expect(only(part, 'aws_route53_record')).toMatchObject({ zone_id: 'Z0123456789EXAMPLE01', allow_overwrite: true });
      expect(only(part, 'aws_acm_certificate_validation').validation_record_fqdns).toEqual([ref(part, 'aws_route53_record', 'fqdn')]);
    }
    const primaryHttps = findBy(underPath(prod, 'prod/primary/'), 'aws_lb_listener', 'port', 443);
    expect(primaryHttps.certificate_arn).toBe(ref(underPath(prod, 'prod/certificate/'), 'aws_acm_certificate_validation', 'certificate_arn'));
    const standbyHttps = findBy(underPath(prod, 'prod/standby/'), 'aws_lb_listener', 'port', 443);
    expect(standbyHttps.certificate_arn).toBe(ref(underPath(prod, 'prod/standby/certificate/'), 'aws_acm_certificate_validation', 'certificate_arn'));
  });
});

describe('staging: static maintenance site', () => {
  it('SECONDARY aliases a CloudFront distribution (no target-health evaluation)', () => {
    const staging = stack('staging');
    expect(record(staging, 'secondary')).toMatchObject({
      name: 'staging.example.com',
      failover_routing_policy: { type: 'SECONDARY' },
      alias: {
        name: ref(staging, 'aws_cloudfront_distribution', 'domain_name'),
        zone_id: ref(staging, 'aws_cloudfront_distribution', 'hosted_zone_id'),
        evaluate_target_health: false,
      },
    });
    expect(record(staging, 'primary').health_check_id).toBe(ref(staging, 'aws_route53_health_check', 'id'));
  });

  it('serves over HTTPS with a us-east-1 certificate, and every miss as a 503 page', () => {
    const staging = stack('staging');
    const cdnCertificate = underPath(staging, 'staging/us_east_1/cdn-certificate/');
    expect(only(cdnCertificate, 'aws_acm_certificate')).toMatchObject({ provider: 'aws.us_east_1', domain_name: 'staging.example.com' });
    expect(only(staging, 'aws_cloudfront_distribution')).toMatchObject({
      aliases: ['staging.example.com'],
      default_root_object: 'maintenance.html',
      viewer_certificate: {
        acm_certificate_arn: ref(cdnCertificate, 'aws_acm_certificate_validation', 'certificate_arn'),
        ssl_support_method: 'sni-only',
        minimum_protocol_version: 'TLSv1.2_2021',
      },
      default_cache_behavior: { viewer_protocol_policy: 'redirect-to-https', allowed_methods: ['GET', 'HEAD'] },
      custom_error_response: [
        { error_code: 403, response_code: 503, response_page_path: '/maintenance.html' },
        { error_code: 404, response_code: 503, response_page_path: '/maintenance.html' },
      ],
    });
  });

  it('keeps the page in a private, encrypted bucket that only the distribution can read', () => {
    const all = underPath(stack('staging'), 'staging/maintenance/');
    // The page bucket's own resources; its access-log bucket is checked below.
    const logs = underPath(all, 'staging/maintenance/access-logs/');
    const logIds = new Set(Object.values(logs.resource ?? {}).flatMap((byId) => Object.keys(byId)).concat(Object.values(logs.data ?? {}).flatMap((byId) => Object.keys(byId))));
    const drop = (byType: TfJson['resource']) =>
      Object.fromEntries(Object.entries(byType ?? {}).map(([type, byId]) => [type, Object.fromEntries(Object.entries(byId).filter(([id]) => !logIds.has(id)))]));
    const site: TfJson = { ...all, resource: drop(all.resource), data: drop(all.data) };
    expect(only(site, 'aws_s3_bucket_public_access_block')).toMatchObject({ block_public_acls: true, block_public_policy: true });
    expect(only(site, 'aws_s3_bucket_server_side_encryption_configuration')).toMatchObject({
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: 'AES256' } }],
    });
    expect(only(site, 'aws_s3_object')).toMatchObject({ key: 'maintenance.html', content_type: 'text/html; charset=utf-8' });
    expect(String(only(site, 'aws_s3_object').content)).toContain('Staging is being redeployed');
    const policy = JSON.stringify(site.data?.aws_iam_policy_document);
    expect(policy).toContain('cloudfront.amazonaws.com');
    expect(policy).toContain('AWS:SourceArn');
    expect(policy).toContain('"actions":["s3:GetObject"]');
    expect(policy).not.toMatch(/s3:Put|s3:\*"\],"effect":"Allow/);
    expect(only(site, 'aws_cloudfront_origin_access_control')).toMatchObject({ signing_behavior: 'always', origin_access_control_origin_type: 's3' });
    // Requests to the page bucket are logged, failed uploads cleaned up; only S3 log delivery for this bucket and account writes the logs.
    expect(only(site, 'aws_s3_bucket_logging')).toMatchObject({ bucket: ref(site, 'aws_s3_bucket', 'id'), target_prefix: 'maintenance/' });
    expect(only(site, 'aws_s3_bucket_lifecycle_configuration').rule).toEqual([
      { id: 'abort-incomplete-uploads', status: 'Enabled', filter: [{ prefix: '' }], abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }] },
    ]);
    const delivery = (logs.data?.aws_iam_policy_document && Object.values(logs.data.aws_iam_policy_document)[0]?.statement) as Block[];
    expect(delivery[0]).toEqual({
      sid: 'S3ServerAccessLogDelivery',
      actions: ['s3:PutObject'],
      resources: [`${ref(logs, 'aws_s3_bucket', 'arn')}/*`],
      principals: [{ type: 'Service', identifiers: ['logging.s3.amazonaws.com'] }],
      condition: [
        { test: 'StringEquals', variable: 'aws:SourceAccount', values: ['123456789012'] },
        { test: 'ArnLike', variable: 'aws:SourceArn', values: [ref(site, 'aws_s3_bucket', 'arn')] },
      ],
    });
  });
});

describe('dev: a plain name', () => {
  it('creates its own zone and one alias record, no failover and no health check', () => {
    const dev = stack('dev');
    expect(only(dev, 'aws_route53_zone').name).toBe('dev.example.com');
    expect(only(dev, 'aws_route53_record')).toMatchObject({
      name: 'app.dev.example.com',
      zone_id: ref(dev, 'aws_route53_zone', 'zone_id'),
      alias: { name: ref(dev, 'aws_lb', 'dns_name'), evaluate_target_health: true },
    });
    expect(only(dev, 'aws_route53_record').failover_routing_policy).toBeUndefined();
    expect(resourceList(dev, 'aws_route53_health_check')).toHaveLength(0);
    expect(resourceList(dev, 'aws_acm_certificate')).toHaveLength(0);
  });
});

describe('EndpointHealthCheck on its own', () => {
  function checkOf(props: Partial<EndpointHealthCheckProps>): Block {
    const json = synthConstruct((scope) => {
      const alarmProvider = new AwsProvider(scope, 'us-east-1', { region: 'us-east-1', alias: 'us_east_1' });
      new EndpointHealthCheck(scope, 'health', { name: 'shop-prod-primary', fqdn: 'alb.example.com', alarmProvider, alarmTopicArn: 'arn:aws:sns:us-east-1:123456789012:t', ...props });
    });
    const { '//': _, ...check } = only(json, 'aws_route53_health_check');
    return check;
  }

  it('defaults to HTTPS /health on 443, 3 failures, every 10 s, from three regions', () => {
    expect(checkOf({})).toEqual({
      type: 'HTTPS',
      fqdn: 'alb.example.com',
      port: 443,
      resource_path: '/health',
      failure_threshold: 3,
      request_interval: 10,
      regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
      enable_sni: true,
      measure_latency: true,
      tags: { Name: 'shop-prod-primary-health' },
    });
  });

  it('takes every setting it is given', () => {
    expect(checkOf({ resourcePath: '/ready', port: 8443, failureThreshold: 5, requestInterval: 30, regions: ['us-west-2', 'eu-west-1', 'sa-east-1'] })).toMatchObject({
      port: 8443,
      resource_path: '/ready',
      failure_threshold: 5,
      request_interval: 30,
      regions: ['us-west-2', 'eu-west-1', 'sa-east-1'],
    });
  });
});

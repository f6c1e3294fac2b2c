/**
 * The security rule pack. Each rule carries the Checkov ID of the equivalent
 * check (and the Trivy/AVD ID where Trivy has one) so reviewers recognise it;
 * its message says what is wrong and how to fix it.
 */
import { block, blocks, type Config, isTrue, references, type ResourceView, type StackView } from './resources';

export interface SecurityRule {
  /** Checkov ID, e.g. `CKV_AWS_79` (Prowler's check name where Checkov has none). */
  readonly id: string;
  /** Trivy (AVD) ID, where Trivy has the check. */
  readonly trivy?: string;
  readonly title: string;
  /** Resource types it looks at. */
  readonly types: readonly string[];
  /** Applies to production stacks only. */
  readonly productionOnly?: boolean;
  /** What is wrong and how to fix it; undefined when compliant. */
  check(resource: ResourceView, view: StackView): string | undefined;
}

const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));

/** Ingress rules of any shape (inline, aws_security_group_rule, aws_vpc_security_group_ingress_rule) as port ranges and sources. */
function ingressOf(resource: ResourceView): { from: number; to: number; protocol: string; cidrs: string[] }[] {
  const c = resource.config;
  const range = (from: unknown, to: unknown, protocol: unknown, cidrs: string[]) => {
    const p = str(protocol);
    const all = p === '-1' || p === 'all';
    return { from: all ? 0 : Number(from ?? 0), to: all ? 65535 : Number(to ?? 65535), protocol: p, cidrs };
  };
  switch (resource.type) {
    case 'aws_security_group':
      return blocks(c.ingress).map((r) =>
        range(r.from_port, r.to_port, r.protocol, [...((r.cidr_blocks as string[]) ?? []), ...((r.ipv6_cidr_blocks as string[]) ?? [])]),
      );
    case 'aws_security_group_rule':
      return c.type === 'ingress'
        ? [range(c.from_port, c.to_port, c.protocol, [...((c.cidr_blocks as string[]) ?? []), ...((c.ipv6_cidr_blocks as string[]) ?? [])])]
        : [];
    case 'aws_vpc_security_group_ingress_rule':
      return [range(c.from_port, c.to_port, c.ip_protocol, [str(c.cidr_ipv4), str(c.cidr_ipv6)].filter(Boolean))];
    default:
      return [];
  }
}

function publicPortRule(id: string, port: number, name: string): SecurityRule {
  return {
    id,
    trivy: 'AVD-AWS-0107',
    title: `no ingress from 0.0.0.0/0 or ::/0 to port ${port} (${name})`,
    types: ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule'],
    check: (resource) => {
      const open = ingressOf(resource).find(
        (r) => r.from <= port && port <= r.to && ['tcp', '6', '-1', 'all'].includes(r.protocol) && r.cidrs.some((c) => c === '0.0.0.0/0' || c === '::/0'),
      );
      return open
        ? `allows ${name} (port ${port}) from ${open.cidrs.join(', ')}; reach instances through SSM Session Manager, or allow only known CIDRs`
        : undefined;
    },
  };
}

/** Settings resources (versioning, encryption, …) that name `bucket` in their `bucket` argument. */
function bucketSettings(view: StackView, type: string, bucket: ResourceView): ResourceView[] {
  return view.referring(type, 'bucket', bucket);
}

/** Statements of a policy given as JSON text or through an aws_iam_policy_document. */
function policyStatements(policy: unknown, view: StackView): Config[] {
  const text = str(policy);
  const [document] = [...references(text)].map((a) => view.byAddress(a)).filter((r) => r?.type === 'data.aws_iam_policy_document');
  if (document) {
    return blocks(document.config.statement).map((s) => ({
      effect: s.effect ?? 'Allow',
      conditions: blocks(s.condition).map((c) => ({ test: c.test, variable: c.variable, values: c.values })),
    }));
  }
  try {
    const parsed = JSON.parse(text) as { Statement?: Config[] };
    return (parsed.Statement ?? []).map((s) => ({
      effect: s.Effect,
      conditions: Object.entries((s.Condition as Record<string, Record<string, unknown>>) ?? {}).flatMap(([test, byKey]) =>
        Object.entries(byKey).map(([variable, values]) => ({ test, variable, values: [values].flat() })),
      ),
    }));
  } catch {
    return [];
  }
}

const TLS12_POLICY = /^ELBSecurityPolicy-(TLS13-|TLS-1-2-|FS-1-2-)/;

export const RULES: readonly SecurityRule[] = [
  {
    id: 'CKV_AWS_79',
    trivy: 'AVD-AWS-0130',
    title: 'launch templates require IMDSv2',
    types: ['aws_launch_template'],
    check: ({ config }) => {
      const metadata = block(config.metadata_options);
      if (metadata?.http_endpoint === 'disabled') return undefined;
      return metadata?.http_tokens === 'required' ? undefined : 'allows IMDSv1; set metadata_options.http_tokens = "required"';
    },
  },
  {
    id: 'CKV_AWS_8',
    trivy: 'AVD-AWS-0008',
    title: 'launch templates encrypt their EBS volumes',
    types: ['aws_launch_template'],
    check: ({ config }) => {
      const plain = blocks(config.block_device_mappings).filter((m) => !isTrue(block(m.ebs)?.encrypted));
      return plain.length ? `volume ${plain.map((m) => str(m.device_name)).join(', ')} is not encrypted; set ebs.encrypted = true` : undefined;
    },
  },
  publicPortRule('CKV_AWS_24', 22, 'SSH'),
  publicPortRule('CKV_AWS_25', 3389, 'RDP'),
  {
    id: 'CKV_AWS_23',
    trivy: 'AVD-AWS-0099',
    title: 'security groups and their rules say what they are for',
    types: ['aws_security_group', 'aws_security_group_rule', 'aws_vpc_security_group_ingress_rule', 'aws_vpc_security_group_egress_rule'],
    check: ({ type, config }) => {
      const description = str(config.description).trim();
      if (!description || description === 'Managed by Terraform') return 'has no description; say what the group or rule allows and why';
      if (type === 'aws_security_group') {
        const bare = [...blocks(config.ingress), ...blocks(config.egress)].filter((r) => !str(r.description).trim());
        if (bare.length) return `${bare.length} inline rule(s) without a description; describe each rule`;
      }
      return undefined;
    },
  },
  {
    id: 'CKV_AWS_131',
    trivy: 'AVD-AWS-0052',
    title: 'application load balancers drop invalid HTTP headers',
    types: ['aws_lb', 'aws_alb'],
    check: ({ config }) =>
      (config.load_balancer_type ?? 'application') === 'application' && !isTrue(config.drop_invalid_header_fields)
        ? 'passes invalid HTTP header fields to targets (request smuggling); set drop_invalid_header_fields = true'
        : undefined,
  },
  {
    id: 'CKV_AWS_150',
    title: 'production load balancers are protected from deletion',
    types: ['aws_lb', 'aws_alb'],
    productionOnly: true,
    check: ({ config }) => (isTrue(config.enable_deletion_protection) ? undefined : 'can be deleted by any API call; set enable_deletion_protection = true'),
  },
  {
    id: 'CKV_AWS_91',
    title: 'load balancers write access logs',
    types: ['aws_lb', 'aws_alb'],
    check: ({ config }) => {
      const logs = block(config.access_logs);
      return logs && isTrue(logs.enabled ?? true) && str(logs.bucket) ? undefined : 'keeps no access logs; set access_logs { bucket, enabled = true }';
    },
  },
  {
    id: 'CKV_AWS_103',
    title: 'HTTPS listeners negotiate TLS 1.2 or later',
    types: ['aws_lb_listener', 'aws_alb_listener'],
    check: ({ config }) =>
      config.protocol === 'HTTPS' && !TLS12_POLICY.test(str(config.ssl_policy))
        ? `ssl_policy ${str(config.ssl_policy) || '(default)'} allows TLS below 1.2; use ELBSecurityPolicy-TLS13-1-2-2021-06`
        : undefined,
  },
  {
    id: 'CKV2_AWS_20',
    trivy: 'AVD-AWS-0054',
    title: 'plain-HTTP listeners redirect to HTTPS',
    types: ['aws_lb_listener', 'aws_alb_listener'],
    check: ({ config }) => {
      if (config.protocol !== 'HTTP') return undefined;
      const redirect = blocks(config.default_action).find((a) => a.type === 'redirect' && block(a.redirect)?.protocol === 'HTTPS');
      return redirect ? undefined : 'serves plain HTTP; make the default action redirect { protocol = "HTTPS" }';
    },
  },
  {
    id: 'CKV_AWS_261',
    title: 'target groups check the health of their targets',
    types: ['aws_lb_target_group', 'aws_alb_target_group'],
    check: ({ config }) => {
      const health = block(config.health_check);
      if (!health || health.enabled === false || health.enabled === 'false') return 'has no health check; add health_check { path, matcher }';
      return ['HTTP', 'HTTPS'].includes(str(config.protocol)) && !str(health.path) ? 'health_check has no path; check the app, e.g. /health' : undefined;
    },
  },
  {
    id: 'CKV2_AWS_15',
    title: 'groups behind a load balancer use its health check',
    types: ['aws_autoscaling_group'],
    check: ({ config }) => {
      const count = (list: unknown) => (Array.isArray(list) ? list.length : 0);
      const attached = count(config.target_group_arns) + count(config.load_balancers) > 0;
      return attached && config.health_check_type !== 'ELB'
        ? 'replaces only instances EC2 sees as failed; set health_check_type = "ELB" so failed /health checks replace them too'
        : undefined;
    },
  },
  {
    id: 'CKV_AWS_153',
    title: 'Auto Scaling groups tag what they launch',
    types: ['aws_autoscaling_group'],
    check: ({ config }) =>
      blocks(config.tag).some((t) => isTrue(t.propagate_at_launch)) ? undefined : 'launches untagged instances; add tag { key, value, propagate_at_launch = true }',
  },
  {
    id: 'CKV_AWS_21',
    trivy: 'AVD-AWS-0090',
    title: 'S3 buckets keep object versions',
    types: ['aws_s3_bucket'],
    check: (bucket, view) =>
      bucketSettings(view, 'aws_s3_bucket_versioning', bucket).some((v) => block(v.config.versioning_configuration)?.status === 'Enabled')
        ? undefined
        : 'keeps no versions, so an overwrite or delete is final; add aws_s3_bucket_versioning with status = "Enabled"',
  },
  {
    id: 'CKV_AWS_19',
    trivy: 'AVD-AWS-0088',
    title: 'S3 buckets encrypt at rest',
    types: ['aws_s3_bucket'],
    check: (bucket, view) =>
      bucketSettings(view, 'aws_s3_bucket_server_side_encryption_configuration', bucket).length
        ? undefined
        : 'has no default encryption; add aws_s3_bucket_server_side_encryption_configuration',
  },
  {
    id: 'CKV_AWS_145',
    trivy: 'AVD-AWS-0132',
    title: 'S3 buckets encrypt with KMS',
    types: ['aws_s3_bucket'],
    check: (bucket, view) => {
      const kms = bucketSettings(view, 'aws_s3_bucket_server_side_encryption_configuration', bucket).some((e) =>
        blocks(e.config.rule).some((r) => str(block(r.apply_server_side_encryption_by_default)?.sse_algorithm).startsWith('aws:kms')),
      );
      return kms ? undefined : 'is not encrypted with a KMS key; set sse_algorithm = "aws:kms" with a customer-managed key';
    },
  },
  {
    id: 'CKV2_AWS_6',
    trivy: 'AVD-AWS-0094',
    title: 'S3 buckets block all public access',
    types: ['aws_s3_bucket'],
    check: (bucket, view) => {
      const flags = ['block_public_acls', 'block_public_policy', 'ignore_public_acls', 'restrict_public_buckets'];
      const full = bucketSettings(view, 'aws_s3_bucket_public_access_block', bucket).some((b) => flags.every((f) => isTrue(b.config[f])));
      return full ? undefined : `has no public access block with all four settings; add aws_s3_bucket_public_access_block with ${flags.join(', ')} = true`;
    },
  },
  {
    id: 's3_bucket_secure_transport_policy',
    title: 'S3 buckets refuse requests not made over TLS (Prowler; Checkov has no equivalent)',
    types: ['aws_s3_bucket'],
    check: (bucket, view) => {
      const policies = [str(bucket.config.policy), ...bucketSettings(view, 'aws_s3_bucket_policy', bucket).map((p) => str(p.config.policy))].filter(Boolean);
      const denies = policies.some((policy) =>
        policyStatements(policy, view).some(
          (s) =>
            s.effect === 'Deny' &&
            blocks(s.conditions).some((c) => c.test === 'Bool' && c.variable === 'aws:SecureTransport' && [c.values].flat().map(String).includes('false')),
        ),
      );
      return denies ? undefined : 'accepts plain-HTTP requests; add a bucket policy that denies s3:* when aws:SecureTransport is false';
    },
  },
  {
    id: 'CKV2_AWS_65',
    title: 'S3 buckets disable ACLs',
    types: ['aws_s3_bucket'],
    check: (bucket, view) =>
      bucketSettings(view, 'aws_s3_bucket_ownership_controls', bucket).some((o) => block(o.config.rule)?.object_ownership === 'BucketOwnerEnforced')
        ? undefined
        : 'lets ACLs grant access; add aws_s3_bucket_ownership_controls with object_ownership = "BucketOwnerEnforced"',
  },
  {
    id: 'CKV_AWS_28',
    trivy: 'AVD-AWS-0024',
    title: 'DynamoDB tables have point-in-time recovery',
    types: ['aws_dynamodb_table'],
    check: ({ config }) =>
      isTrue(block(config.point_in_time_recovery)?.enabled) ? undefined : 'cannot be restored to a point in time; set point_in_time_recovery { enabled = true }',
  },
  {
    id: 'CKV_AWS_119',
    trivy: 'AVD-AWS-0025',
    title: 'DynamoDB tables encrypt with a customer-managed key',
    types: ['aws_dynamodb_table'],
    check: ({ config }) => {
      const sse = block(config.server_side_encryption);
      return isTrue(sse?.enabled) && str(sse?.kms_key_arn)
        ? undefined
        : 'uses the AWS-owned key; set server_side_encryption { enabled = true, kms_key_arn = <customer-managed key> }';
    },
  },
  {
    id: 'CKV2_AWS_11',
    trivy: 'AVD-AWS-0178',
    title: 'VPCs record flow logs',
    types: ['aws_vpc'],
    check: (vpc, view) => (view.referring('aws_flow_log', 'vpc_id', vpc).length ? undefined : 'records no flow logs; add an aws_flow_log with vpc_id of this VPC'),
  },
  {
    id: 'CKV2_AWS_12',
    title: "VPCs' default security groups allow nothing",
    types: ['aws_vpc'],
    check: (vpc, view) => {
      const taken = view.referring('aws_default_security_group', 'vpc_id', vpc);
      if (!taken.length) return 'leaves the default security group open to its members; manage aws_default_security_group with no rules';
      return taken.some((g) => blocks(g.config.ingress).length || blocks(g.config.egress).length)
        ? 'the default security group has rules; remove every ingress and egress rule'
        : undefined;
    },
  },
  {
    id: 'CKV_AWS_26',
    trivy: 'AVD-AWS-0095',
    title: 'SNS topics are encrypted',
    types: ['aws_sns_topic'],
    check: ({ config }) => (str(config.kms_master_key_id) ? undefined : 'is not encrypted; set kms_master_key_id to a customer-managed key'),
  },
  {
    id: 'CKV_AWS_27',
    trivy: 'AVD-AWS-0096',
    title: 'SQS queues are encrypted',
    types: ['aws_sqs_queue'],
    check: ({ config }) =>
      str(config.kms_master_key_id) || isTrue(config.sqs_managed_sse_enabled) ? undefined : 'is not encrypted; set kms_master_key_id',
  },
  {
    id: 'CKV_AWS_50',
    trivy: 'AVD-AWS-0066',
    title: 'Lambda functions are traced with X-Ray',
    types: ['aws_lambda_function'],
    check: ({ config }) => (block(config.tracing_config)?.mode === 'Active' ? undefined : 'is not traced; set tracing_config { mode = "Active" }'),
  },
  {
    id: 'CKV_AWS_116',
    title: 'Lambda functions keep failed asynchronous events',
    types: ['aws_lambda_function'],
    check: ({ config }) =>
      str(block(config.dead_letter_config)?.target_arn) ? undefined : 'drops events that fail every retry; set dead_letter_config { target_arn = <SQS queue> }',
  },
  {
    id: 'CKV_AWS_115',
    title: 'Lambda functions reserve their concurrency',
    types: ['aws_lambda_function'],
    check: ({ config }) => {
      const reserved = config.reserved_concurrent_executions;
      return reserved === undefined || Number(reserved) < 0
        ? 'competes for the account concurrency; set reserved_concurrent_executions'
        : Number(reserved) === 0
          ? 'reserved_concurrent_executions = 0 throttles every invocation; reserve at least 1'
          : undefined;
    },
  },
  {
    id: 'CKV_AWS_364',
    trivy: 'AVD-AWS-0067',
    title: 'Lambda permissions for AWS services name the source',
    types: ['aws_lambda_permission'],
    check: ({ config }) =>
      str(config.principal).endsWith('.amazonaws.com') && !str(config.source_arn) && !str(config.source_account)
        ? `lets any ${str(config.principal)} resource invoke the function; set source_arn`
        : undefined,
  },
  {
    id: 'CKV_AWS_66',
    title: 'log groups expire their events',
    types: ['aws_cloudwatch_log_group'],
    check: ({ config }) => (Number(config.retention_in_days ?? 0) > 0 ? undefined : 'keeps logs forever; set retention_in_days'),
  },
  {
    id: 'CKV_AWS_158',
    trivy: 'AVD-AWS-0017',
    title: 'log groups encrypt with a customer-managed key',
    types: ['aws_cloudwatch_log_group'],
    check: ({ config }) => (str(config.kms_key_id) ? undefined : 'uses the CloudWatch Logs service key; set kms_key_id to a key CloudWatch Logs may use'),
  },
  {
    id: 'CKV_AWS_7',
    trivy: 'AVD-AWS-0065',
    title: 'KMS keys rotate',
    types: ['aws_kms_key'],
    check: ({ config }) =>
      config.customer_master_key_spec && config.customer_master_key_spec !== 'SYMMETRIC_DEFAULT'
        ? undefined
        : isTrue(config.enable_key_rotation)
          ? undefined
          : 'never rotates its key material; set enable_key_rotation = true',
  },
];

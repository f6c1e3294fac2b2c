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

function publicPortRule(id: string, port: number, name: string, fix: string): SecurityRule {
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
        ? `allows ${name} (port ${port}) from ${open.cidrs.join(', ')}; ${fix}`
        : undefined;
    },
  };
}

/** The containers of a task definition (its container_definitions JSON); none when it cannot be read. */
function containersOf(config: Config): Config[] {
  try {
    const parsed: unknown = JSON.parse(str(config.container_definitions));
    return Array.isArray(parsed) ? (parsed as Config[]) : [];
  } catch {
    return [];
  }
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

/** The AWS managed rule group with the Log4j (CVE-2021-44228) rules. */
const WAF_LOG4J_GROUP = 'AWSManagedRulesKnownBadInputsRuleSet';

/** A web ACL's managed rule group rules: the rule, its managed_rule_group_statement, and the group's name. */
function managedGroupsOf(acl: ResourceView): { rule: Config; statement: Config; name: string }[] {
  return blocks(acl.config.rule).flatMap((rule) => {
    const statement = block(block(rule.statement)?.managed_rule_group_statement);
    return statement ? [{ rule, statement, name: str(statement.name) }] : [];
  });
}

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
  publicPortRule('CKV_AWS_24', 22, 'SSH', 'reach instances through SSM Session Manager, or allow only known CIDRs'),
  publicPortRule('CKV_AWS_25', 3389, 'RDP', 'reach instances through SSM Session Manager, or allow only known CIDRs'),
  publicPortRule('CKV_AWS_260', 80, 'HTTP', 'serve HTTPS only, allow only known CIDRs, or waive it where port 80 only redirects to HTTPS'),
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
    title: 'load balancers are protected from deletion',
    types: ['aws_lb', 'aws_alb'],
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
    // As Checkov: HTTPS and TLS listeners (a TLS listener is a Network Load Balancer's).
    check: ({ config }) =>
      ['HTTPS', 'TLS'].includes(str(config.protocol)) && !TLS12_POLICY.test(str(config.ssl_policy))
        ? `ssl_policy ${str(config.ssl_policy) || '(default)'} allows TLS below 1.2; use ELBSecurityPolicy-TLS13-1-2-Res-2021-06`
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
    id: 'CKV_AWS_284',
    title: 'Step Functions state machines are traced with X-Ray',
    types: ['aws_sfn_state_machine'],
    // As Checkov: tracing_configuration[0].enabled must be true.
    check: ({ config }) => (isTrue(block(config.tracing_configuration)?.enabled) ? undefined : 'is not traced; set tracing_configuration { enabled = true }'),
  },
  {
    id: 'CKV_AWS_285',
    title: 'Step Functions state machines log their execution history',
    types: ['aws_sfn_state_machine'],
    // As Checkov: logging_configuration[0].include_execution_data must be true (with a level and a log group to be of use).
    check: ({ config }) => {
      const logging = block(config.logging_configuration);
      if (!isTrue(logging?.include_execution_data)) return 'logs no execution history; set logging_configuration { include_execution_data = true, level = "ALL" (or "ERROR"), log_destination = "<log group arn>:*" }';
      return str(logging?.level) === 'OFF' || !str(logging?.log_destination) ? 'logs nothing (level OFF or no log_destination); set level = "ALL" (or "ERROR") and log_destination' : undefined;
    },
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
    id: 'CKV_AWS_301',
    title: 'Lambda permissions do not make a function public',
    types: ['aws_lambda_permission'],
    // As Checkov: principal "*" lets anyone (any account) invoke the function.
    check: ({ config }) => (str(config.principal) === '*' ? 'lets anyone invoke the function (principal "*"); name the service or account that calls it' : undefined),
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
  {
    id: 'CKV_AWS_18',
    title: 'S3 buckets log their requests (server access logging)',
    types: ['aws_s3_bucket'],
    check: (bucket, view) =>
      block(bucket.config.logging) || bucketSettings(view, 'aws_s3_bucket_logging', bucket).length
        ? undefined
        : 'records no requests; add aws_s3_bucket_logging with a target_bucket that only S3 log delivery may write',
  },
  {
    id: 'CKV_AWS_144',
    title: 'S3 buckets replicate to another region',
    types: ['aws_s3_bucket'],
    check: (bucket, view) => {
      const inline = blocks(block(bucket.config.replication_configuration)?.rules).some((r) => r.status === 'Enabled');
      const separate = bucketSettings(view, 'aws_s3_bucket_replication_configuration', bucket).some((r) => blocks(r.config.rule).some((x) => x.status === 'Enabled'));
      return inline || separate ? undefined : 'has no copy outside its region; add aws_s3_bucket_replication_configuration with an Enabled rule';
    },
  },
  {
    id: 'CKV2_AWS_62',
    title: 'S3 buckets send event notifications',
    types: ['aws_s3_bucket'],
    check: (bucket, view) =>
      bucketSettings(view, 'aws_s3_bucket_notification', bucket).length ? undefined : 'sends no event notifications; add aws_s3_bucket_notification',
  },
  {
    id: 'CKV2_AWS_61',
    title: 'S3 buckets have a lifecycle configuration',
    types: ['aws_s3_bucket'],
    check: (bucket, view) =>
      blocks(bucket.config.lifecycle_rule).length || bucketSettings(view, 'aws_s3_bucket_lifecycle_configuration', bucket).length
        ? undefined
        : 'keeps every object and upload part forever; add aws_s3_bucket_lifecycle_configuration (expiry, abort incomplete multipart uploads)',
  },
  {
    id: 'CKV2_AWS_64',
    title: 'KMS keys have an explicit key policy',
    types: ['aws_kms_key'],
    check: (key, view) =>
      str(key.config.policy) || view.referring('aws_kms_key_policy', 'key_id', key).length
        ? undefined
        : 'uses the default key policy; set policy (or add aws_kms_key_policy) that separates key administrators from key users',
  },
  {
    id: 'CKV_AWS_173',
    title: 'Lambda environment variables are encrypted with a customer-managed key',
    types: ['aws_lambda_function'],
    check: ({ config }) => {
      // As Checkov: variables need a key; a key without variables is flagged too (it makes the plan drift).
      const variables = block(config.environment);
      const key = str(config.kms_key_arn);
      if (variables && !key) return 'keeps its environment variables under the Lambda service key; set kms_key_arn to a customer-managed key';
      if (!variables && key) return 'names kms_key_arn but has no environment variables, which makes plans drift; remove kms_key_arn';
      return undefined;
    },
  },
  {
    id: 'CKV_AWS_117',
    title: 'Lambda functions run inside a VPC',
    types: ['aws_lambda_function'],
    check: ({ config }) =>
      block(config.vpc_config) ? undefined : 'runs outside any VPC; set vpc_config { subnet_ids, security_group_ids } (private subnets, egress through NAT or endpoints)',
  },
  {
    id: 'CKV_AWS_272',
    title: 'Lambda functions validate code signatures',
    types: ['aws_lambda_function'],
    check: ({ config }) =>
      str(config.code_signing_config_arn) ? undefined : 'accepts unsigned code; set code_signing_config_arn to an aws_lambda_code_signing_config with Enforce',
  },
  {
    id: 'CKV_AWS_338',
    title: 'log groups keep events for at least a year',
    types: ['aws_cloudwatch_log_group'],
    check: ({ config }) => {
      // As Checkov: 0 (never expire) passes, and so does 365 or more.
      const days = Number(config.retention_in_days ?? 0);
      return days === 0 || days >= 365 ? undefined : `keeps events ${days} days; set retention_in_days to at least 365`;
    },
  },
  {
    id: 'CKV2_AWS_28',
    title: 'internet-facing application load balancers are protected by a WAF',
    types: ['aws_lb', 'aws_alb'],
    check: (lb, view) => {
      const { config } = lb;
      if (isTrue(config.internal) || ['network', 'gateway'].includes(str(config.load_balancer_type))) return undefined;
      const associated =
        view.referring('aws_wafv2_web_acl_association', 'resource_arn', lb).length || view.referring('aws_wafregional_web_acl_association', 'resource_arn', lb).length;
      return associated ? undefined : 'takes internet traffic with no WAF; associate an aws_wafv2_web_acl (aws_wafv2_web_acl_association)';
    },
  },
  {
    id: 'CKV2_AWS_76',
    title: "internet-facing application load balancers' WAF has the AWS Log4j managed rules",
    types: ['aws_lb', 'aws_alb'],
    check: (lb, view) => {
      // As Checkov: internal load balancers pass, and so do those with no web ACL (CKV2_AWS_28 is about those).
      if (isTrue(lb.config.internal)) return undefined;
      const associations = view.referring('aws_wafv2_web_acl_association', 'resource_arn', lb);
      const acls = associations.flatMap((a) => [...references(a.config.web_acl_arn)].map((address) => view.byAddress(address)).filter((r) => r?.type === 'aws_wafv2_web_acl'));
      // An ACL managed outside the stack (associated by ARN) cannot be read here: its owner answers for its rules.
      if (!acls.length) return undefined;
      const required = [WAF_LOG4J_GROUP, 'AWSManagedRulesAnonymousIpList'];
      const groups = new Set(acls.flatMap((acl) => managedGroupsOf(acl!).map((r) => r.name)));
      const missing = required.filter((name) => !groups.has(name));
      return missing.length ? `its web ACL lacks ${missing.join(' and ')}; add the managed rule group (Checkov asks for both)` : undefined;
    },
  },
  {
    id: 'CKV2_AWS_31',
    title: 'WAFv2 web ACLs log their requests',
    types: ['aws_wafv2_web_acl'],
    check: (acl, view) =>
      view.referring('aws_wafv2_web_acl_logging_configuration', 'resource_arn', acl).length
        ? undefined
        : 'logs no requests; add aws_wafv2_web_acl_logging_configuration to an aws-waf-logs-* log group, bucket or stream',
  },
  {
    id: 'CKV_AWS_192',
    title: 'WAFv2 web ACLs block Log4j message lookups (CVE-2021-44228)',
    types: ['aws_wafv2_web_acl'],
    check: (acl) => {
      const group = managedGroupsOf(acl).find((r) => r.name === WAF_LOG4J_GROUP);
      if (!group) return `does not use ${WAF_LOG4J_GROUP}; add it as a managed rule group with override_action { none {} }`;
      if (!block(group.rule.override_action)?.none) return `overrides ${WAF_LOG4J_GROUP}'s actions; set override_action { none {} } so its rules block`;
      // As Checkov for excluded_rule; stricter, an override of Log4JRCE to anything but block fails too.
      const statement = group.statement;
      const excluded = blocks(statement.excluded_rule).some((r) => r.name === 'Log4JRCE');
      const overridden = blocks(statement.rule_action_override).some((r) => r.name === 'Log4JRCE' && !block(r.action_to_use)?.block);
      return excluded || overridden ? `lets Log4JRCE only count; remove its excluded_rule or rule_action_override` : undefined;
    },
  },
  {
    id: 'CKV_AWS_68',
    title: 'CloudFront distributions are protected by a WAF',
    types: ['aws_cloudfront_distribution'],
    check: ({ config }) => (str(config.web_acl_id) ? undefined : 'has no WAF; set web_acl_id to an aws_wafv2_web_acl with scope CLOUDFRONT (in us-east-1)'),
  },
  {
    id: 'CKV2_AWS_47',
    title: "CloudFront distributions' WAF has the AWS Log4j managed rules",
    types: ['aws_cloudfront_distribution'],
    check: ({ config }, view) => {
      // As Checkov: the ACL must hold both AWSManagedRulesKnownBadInputsRuleSet (Log4j) and AWSManagedRulesAnonymousIpList.
      const required = ['AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesAnonymousIpList'];
      const acls = [...references(config.web_acl_id)].map((a) => view.byAddress(a)).filter((r) => r?.type === 'aws_wafv2_web_acl');
      const groups = new Set(
        acls.flatMap((acl) => blocks(acl?.config.rule).map((r) => str(block(block(r.statement)?.managed_rule_group_statement)?.name))),
      );
      const missing = required.filter((name) => !groups.has(name));
      return acls.length && !missing.length
        ? undefined
        : `has no aws_wafv2_web_acl with ${missing.join(' and ') || required.join(' and ')}; attach one through web_acl_id`;
    },
  },
  {
    id: 'CKV_AWS_86',
    title: 'CloudFront distributions write access logs',
    types: ['aws_cloudfront_distribution'],
    check: ({ config }) => (str(block(config.logging_config)?.bucket) ? undefined : 'keeps no access logs; set logging_config { bucket }'),
  },
  {
    id: 'CKV_AWS_310',
    title: 'CloudFront distributions fail over between origins',
    types: ['aws_cloudfront_distribution'],
    check: ({ config }) => {
      const groups = blocks(config.origin_group);
      const failover = groups.length > 0 && groups.every((g) => block(g.failover_criteria) && blocks(g.member).length >= 2);
      return failover ? undefined : 'has no origin failover; add an origin_group with failover_criteria and two members';
    },
  },
  {
    id: 'CKV_AWS_374',
    title: 'CloudFront distributions restrict by geography',
    types: ['aws_cloudfront_distribution'],
    check: ({ config }) =>
      str(block(block(config.restrictions)?.geo_restriction)?.restriction_type) === 'none' || !block(config.restrictions)
        ? 'serves every country; set restrictions.geo_restriction to a whitelist or blacklist'
        : undefined,
  },
  {
    id: 'CKV_AWS_65',
    trivy: 'AVD-AWS-0034',
    title: 'ECS clusters have Container Insights on',
    types: ['aws_ecs_cluster'],
    check: ({ config }) =>
      blocks(config.setting).some((s) => s.name === 'containerInsights' && ['enabled', 'enhanced'].includes(str(s.value)))
        ? undefined
        : 'collects no Container Insights; add setting { name = "containerInsights", value = "enabled" } (or "enhanced")',
  },
  {
    id: 'CKV_AWS_336',
    title: 'ECS containers have a read-only root filesystem',
    types: ['aws_ecs_task_definition'],
    check: ({ config }) => {
      const writable = containersOf(config).filter((c) => c.readonlyRootFilesystem !== true).map((c) => str(c.name));
      return writable.length ? `container ${writable.join(', ')} can write its root filesystem; set readonlyRootFilesystem: true (mount writable paths as volumes)` : undefined;
    },
  },
  {
    id: 'CKV_AWS_334',
    title: 'ECS containers are not privileged',
    types: ['aws_ecs_task_definition'],
    check: ({ config }) => {
      const privileged = containersOf(config).filter((c) => c.privileged === true).map((c) => str(c.name));
      return privileged.length ? `container ${privileged.join(', ')} runs privileged (root on the host); remove privileged` : undefined;
    },
  },
  {
    id: 'CKV_AWS_335',
    title: "ECS task definitions do not share the host's process namespace",
    types: ['aws_ecs_task_definition'],
    check: ({ config }) => (str(config.pid_mode) === 'host' ? 'shares the host\'s processes (pid_mode = "host"); remove pid_mode or set "task"' : undefined),
  },
  {
    id: 'CKV_AWS_249',
    title: 'ECS task definitions give the task its own role, not the execution role',
    types: ['aws_ecs_task_definition'],
    check: ({ config }) =>
      str(config.execution_role_arn) && str(config.execution_role_arn) === str(config.task_role_arn)
        ? 'runs the code as the execution role, with its image, log and secret rights; give task_role_arn a role of its own'
        : undefined,
  },
  {
    id: 'CKV_AWS_97',
    title: 'ECS task definitions encrypt EFS volumes in transit',
    types: ['aws_ecs_task_definition'],
    check: ({ config }) => {
      const plain = blocks(config.volume).filter((v) => {
        const efs = block(v.efs_volume_configuration);
        return efs && str(efs.transit_encryption) !== 'ENABLED';
      });
      return plain.length ? `mounts EFS volume ${plain.map((v) => str(v.name)).join(', ')} unencrypted; set efs_volume_configuration.transit_encryption = "ENABLED"` : undefined;
    },
  },
  {
    id: 'CKV_AWS_333',
    title: 'ECS services assign no public IP',
    types: ['aws_ecs_service'],
    check: ({ config }) =>
      isTrue(block(config.network_configuration)?.assign_public_ip) ? 'gives its tasks public IPs; set assign_public_ip = false and run them in private subnets' : undefined,
  },
  {
    id: 'CKV_AWS_332',
    title: 'ECS Fargate services run the latest platform version',
    types: ['aws_ecs_service'],
    check: ({ config }) => {
      // As Checkov for launch_type FARGATE; a capacity provider strategy of Fargate providers is held to it too.
      const fargate = str(config.launch_type) === 'FARGATE' || blocks(config.capacity_provider_strategy).some((s) => str(s.capacity_provider).startsWith('FARGATE'));
      return fargate && str(config.platform_version) !== 'LATEST' ? 'pins an older Fargate platform version; set platform_version = "LATEST"' : undefined;
    },
  },
  {
    id: 'CKV2_AWS_38',
    title: 'public hosted zones sign with DNSSEC',
    types: ['aws_route53_zone'],
    check: (zone, view) => {
      if (blocks(zone.config.vpc).length) return undefined; // private zones cannot sign
      const signed = ['aws_route53_hosted_zone_dnssec', 'aws_route53_key_signing_key', 'aws_route53_zone_association'].some(
        (type) => view.referring(type, type === 'aws_route53_zone_association' ? 'zone_id' : 'hosted_zone_id', zone).length,
      );
      return signed ? undefined : 'is not signed; add aws_route53_key_signing_key and aws_route53_hosted_zone_dnssec (and the DS record in the parent zone)';
    },
  },
  {
    id: 'CKV2_AWS_39',
    title: 'public hosted zones log DNS queries',
    types: ['aws_route53_zone'],
    check: (zone, view) =>
      blocks(zone.config.vpc).length || view.referring('aws_route53_query_log', 'zone_id', zone).length
        ? undefined
        : 'logs no queries; add aws_route53_query_log to a us-east-1 log group',
  },
  {
    id: 'CKV_AWS_96',
    trivy: 'AVD-AWS-0079',
    title: 'Aurora clusters encrypt their storage',
    types: ['aws_rds_cluster'],
    check: ({ config }) => (config.engine_mode === 'serverless' || isTrue(config.storage_encrypted) ? undefined : 'stores data unencrypted; set storage_encrypted = true'),
  },
  {
    id: 'CKV_AWS_327',
    title: 'RDS clusters encrypt with a customer-managed key',
    types: ['aws_rds_cluster'],
    check: ({ config }) => (str(config.kms_key_id) ? undefined : 'uses the aws/rds key, whose policy cannot be narrowed; set kms_key_id to a customer-managed key'),
  },
  {
    id: 'CKV_AWS_139',
    title: 'RDS clusters have deletion protection',
    types: ['aws_rds_cluster'],
    check: ({ config }) => (isTrue(config.deletion_protection) ? undefined : 'can be deleted by one API call; set deletion_protection = true'),
  },
  {
    id: 'CKV_AWS_162',
    title: 'RDS clusters take IAM database authentication',
    types: ['aws_rds_cluster'],
    check: ({ config }) =>
      isTrue(config.iam_database_authentication_enabled) ? undefined : 'accepts database passwords only; set iam_database_authentication_enabled = true',
  },
  {
    id: 'CKV_AWS_324',
    title: 'RDS clusters export their logs to CloudWatch Logs',
    types: ['aws_rds_cluster'],
    check: ({ config }) =>
      Array.isArray(config.enabled_cloudwatch_logs_exports) && config.enabled_cloudwatch_logs_exports.length > 0
        ? undefined
        : 'keeps its logs on the instances; set enabled_cloudwatch_logs_exports (e.g. ["postgresql"])',
  },
  {
    id: 'CKV_AWS_313',
    title: 'RDS clusters copy tags to snapshots',
    types: ['aws_rds_cluster'],
    check: ({ config }) => (isTrue(config.copy_tags_to_snapshot) ? undefined : 'leaves snapshots untagged (no owner, no cost tags); set copy_tags_to_snapshot = true'),
  },
  {
    id: 'CKV_AWS_133',
    title: 'RDS clusters keep automated backups',
    types: ['aws_rds_cluster', 'aws_db_instance'],
    // As Checkov: absent means AWS's default of 1 day; 0 (none) and more than 35 (refused by RDS) fail.
    check: ({ config }) => {
      const days = Number(config.backup_retention_period ?? 1);
      return days >= 1 && days <= 35 ? undefined : `keeps ${days} days of automated backups; set backup_retention_period to 1–35 days`;
    },
  },
  {
    id: 'CKV_AWS_353',
    trivy: 'AVD-AWS-0133',
    title: 'RDS instances have Performance Insights on',
    types: ['aws_rds_cluster_instance', 'aws_db_instance'],
    check: ({ config }) => (isTrue(config.performance_insights_enabled) ? undefined : 'shows no query-level load; set performance_insights_enabled = true'),
  },
  {
    id: 'CKV_AWS_354',
    title: 'RDS Performance Insights encrypt with a customer-managed key',
    types: ['aws_rds_cluster_instance', 'aws_db_instance'],
    check: ({ config }) =>
      !isTrue(config.performance_insights_enabled) || str(config.performance_insights_kms_key_id)
        ? undefined
        : 'keeps query samples under the aws/rds key; set performance_insights_kms_key_id to a customer-managed key',
  },
  {
    id: 'CKV_AWS_118',
    title: 'RDS instances have enhanced monitoring',
    types: ['aws_rds_cluster_instance', 'aws_db_instance'],
    check: ({ config }) =>
      [1, 5, 10, 15, 30, 60].includes(Number(config.monitoring_interval ?? 0))
        ? undefined
        : 'sends no OS metrics; set monitoring_interval (1–60 s) and monitoring_role_arn',
  },
  {
    id: 'CKV_AWS_226',
    title: 'RDS instances take minor version upgrades',
    types: ['aws_rds_cluster_instance', 'aws_db_instance'],
    // As Checkov (a value check): the field must say true; leaving it to the provider's default fails.
    check: ({ config }) =>
      isTrue(config.auto_minor_version_upgrade) ? undefined : 'does not say it takes minor-version security fixes; set auto_minor_version_upgrade = true',
  },
  {
    id: 'CKV_AWS_17',
    trivy: 'AVD-AWS-0180',
    title: 'RDS instances are not publicly accessible',
    types: ['aws_rds_cluster_instance', 'aws_db_instance'],
    check: ({ config }) => (isTrue(config.publicly_accessible) ? 'has a public address; set publicly_accessible = false and keep it in isolated subnets' : undefined),
  },
];

/**
 * The contract every file in `environments/` satisfies, and its reference:
 * the top-level fields below, each section in its own file under `schema/`.
 *
 * Field-level rules live in the zod schema (a section's own rules as its
 * refinements); rules that relate sections to each other (subnets vs VPC,
 * AZs vs region, standby vs primary) live in `schema/rules.ts`, so one
 * validation pass reports every problem with its full path. Every field
 * carries a description; `npm run docs:environments` turns them into
 * docs/environments.md and docs/environment.schema.json.
 */
import { z } from 'zod';
import { appSchema } from './schema/app';
import { batchSchema } from './schema/batch';
import { containerServiceSchema } from './schema/container-service';
import { databaseSchema } from './schema/database';
import { dnsSchema } from './schema/dns';
import { capacitySchema, instancesDistributionSchema, instanceTypesSchema } from './schema/fleet';
import { instancesSchema } from './schema/instances';
import { loadBalancerSchema } from './schema/load-balancer';
import { monitoringSchema } from './schema/monitoring';
import { flowLogsSchema, networkSchema } from './schema/network';
import { availabilityZones, certificateArn, region, slug } from './schema/primitives';
import { resilienceSchema } from './schema/resilience';
import type { alarmMetrics } from './schema/scaling';
import { scalingSchema } from './schema/scaling';
import { securityExceptionsSchema, securitySchema } from './schema/security';
import { serverlessApiSchema } from './schema/serverless';
import { deployRoleSchema, stateSchema } from './schema/deployment';
import { costTagsSchema, tagsSchema } from './schema/tags';

export { MAX_QUALIFIED_NAME, slug, type Report } from './schema/primitives';
export { SEED_INSTANCE_TYPES } from './schema/fleet';
export { alarmMetrics } from './schema/scaling';
export { crossFieldRules } from './schema/rules';

export const environmentSchema = z
  .strictObject({
    /** Project slug; prefixes every resource name. */
    project: slug.max(16).meta({ description: 'Project slug (lowercase letters, digits, dashes; at most 16); prefixes every resource name.' }),
    /** Environment name; also the stack name (`cdktf deploy <name>`). */
    name: slug
      .max(12)
      .meta({ description: 'Environment name, a slug of at most 12; also the stack name (`cdktf deploy <name>`). project-name fits in 24; `state-backend` is reserved.' }),
    /**
     * Production: the security pack also holds it to its production-only
     * rules (ALB deletion protection). Decided here, not by the name.
     */
    production: z
      .boolean()
      .default(false)
      .meta({ description: 'Production: the security pack also holds it to its production-only rules (ALB deletion protection). Decided here, not by the name.' }),
    /** AWS account the environment lives in; key and trust policies name it. */
    account: z
      .string()
      .regex(/^\d{12}$/, 'is not a 12-digit AWS account ID')
      .meta({
        description:
          '12-digit AWS account ID the environment lives in; key, trust and parameter policies name it, and certificates, the permissions boundary and key administrators must belong to it. Production belongs in an account of its own (docs/accounts.md).',
      }),
    /** AWS region, e.g. `ap-northeast-2`. */
    region: region.meta({ description: 'AWS region, e.g. `ap-northeast-2`.' }),
    /** Explicit AZs (no data-source lookup, so plans work offline). At least 2. */
    availabilityZones: availabilityZones.meta({
      description: 'Explicit AZs of the region, e.g. `ap-northeast-2a` (no data-source lookup, so plans work offline). At least 2, none twice.',
    }),
    network: networkSchema,
    instanceTypes: instanceTypesSchema,
    /** In weighted capacity units. */
    capacity: capacitySchema,
    instancesDistribution: instancesDistributionSchema,
    /** What the instances may do and reach; how the group replaces, retires and pre-warms them. */
    instances: instancesSchema,
    app: appSchema,
    /** ACM certificate for the HTTPS listener, in `region`; issued through `dns` when omitted. */
    certificateArn: certificateArn
      .optional()
      .meta({ description: 'ACM certificate ARN for the HTTPS listener, in `region` and `account`; required unless `dns` is set (ACM then issues one).' }),
    /** Route 53 name, certificates, health check and failover. */
    dns: dnsSchema.optional(),
    loadBalancer: loadBalancerSchema,
    /** The guide's Fargate service behind the load balancer. */
    containerService: containerServiceSchema.optional(),
    scaling: scalingSchema,
    flowLogs: flowLogsSchema,
    /** Aurora PostgreSQL in isolated subnets, for the web fleet only; the standby region builds none. */
    database: databaseSchema.optional(),
    /** ALB deletion protection. */
    deletionProtection: z.boolean().default(true).meta({ description: 'ALB deletion protection: the load balancer cannot be deleted through the API while on.' }),
    monitoring: monitoringSchema,
    resilience: resilienceSchema,
    /** An API Lambda behind the load balancer (the guide's serverless section); the standby region builds none. */
    serverlessApi: serverlessApiSchema.optional(),
    /** Batch work on Spot only when there is work (or a steady Spot Fleet); the standby region builds none. */
    batch: batchSchema.optional(),
    /** Permissions boundary for every role, key administrators. */
    security: securitySchema,
    /** Security-pack rules waived, each for one resource and with a reason. */
    securityExceptions: securityExceptionsSchema,
    /** Cost-allocation tags, applied to every resource through provider default_tags. */
    costTags: costTagsSchema,
    /** Free-form tags beside the cost tags, through the same default_tags. */
    tags: tagsSchema,
    /** The role every AWS provider of the stack assumes; the providers allow only `account` either way. */
    deployRole: deployRoleSchema.optional(),
    /** Where the stack's Terraform state lives: the shared S3 backend or an HCP Terraform workspace. */
    state: stateSchema,
  })
  .meta({ title: 'Environment', description: 'One environment of the web tier: the default export of a file in environments/.' });

export type EnvironmentInput = z.input<typeof environmentSchema>;
export type EnvironmentSpec = z.output<typeof environmentSchema>;
export type StepPolicySpec = EnvironmentSpec['scaling']['stepPolicies'][number];
export type SimplePolicySpec = EnvironmentSpec['scaling']['simplePolicies'][number];
export type CustomTargetSpec = EnvironmentSpec['scaling']['customTargets'][number];
export type InstancesSpec = EnvironmentSpec['instances'];
export type ScheduleSpec = EnvironmentSpec['scaling']['schedules'][number];
export type AlarmMetric = (typeof alarmMetrics)[number];
export type MonitoringSpec = EnvironmentSpec['monitoring'];
export type ResilienceSpec = EnvironmentSpec['resilience'];
export type SecurityException = EnvironmentSpec['securityExceptions'][number];
export type SecuritySpec = EnvironmentSpec['security'];
export type SubscriberSpec = MonitoringSpec['alerts'][number];
export type DnsSpec = NonNullable<EnvironmentSpec['dns']>;
export type ContainerServiceSpec = NonNullable<EnvironmentSpec['containerService']>;
export type ServerlessApiSpec = NonNullable<EnvironmentSpec['serverlessApi']>;
export type DatabaseSpec = NonNullable<EnvironmentSpec['database']>;
export type BatchSpec = NonNullable<EnvironmentSpec['batch']>;
export type DeployRoleSpec = NonNullable<EnvironmentSpec['deployRole']>;
export type StateSpec = EnvironmentSpec['state'];
export type StandbyRegionSpec = Extract<NonNullable<DnsSpec['failover']>, { kind: 'standby-region' }>;

/** Typed identity: gives environment files completion and type errors, nothing more. */
export function defineEnvironment(spec: EnvironmentInput): EnvironmentInput {
  return spec;
}

/**
 * `containerService`: the guide's Fargate service behind the load balancer —
 * image and task size, environment and secrets, the listener rule that sends
 * it requests, its capacity provider strategy (FARGATE and FARGATE_SPOT),
 * scaling and the task role.
 */
import { z } from 'zod';
import {
  CAPACITY_PROVIDER_LIMITS,
  CONTAINER_SERVICE_DEFAULTS as D,
  DEFAULT_CAPACITY_PROVIDER_STRATEGY,
  FARGATE_CAPACITY_PROVIDERS,
  FARGATE_CPU,
  fargateSizeProblem,
  MAX_STOP_TIMEOUT,
} from '../../modules/container-service';
import { TARGET_GROUP_DEFAULTS } from '../../modules/load-balancer';
import { MAX_INLINE_POLICY_CHARACTERS, policyCharacters, statementSchema } from './instances';
import { deregistrationDelay, healthCheckFields, healthPath, hostHeader, MAX_CONDITION_VALUES, pathPattern, timeoutUnderInterval } from './load-balancer';
import { ranged, reportDuplicates, type Report } from './primitives';

/**
 * `registry/repository[:tag][@sha256:digest]`: a registry host (with a dot
 * or a port, or none for Docker Hub), lowercase path components, a tag of
 * up to 128 and/or a sha256 digest.
 */
const IMAGE = /^(?:([a-z0-9.-]+(?::\d+)?)\/)?([a-z0-9]+(?:[._-][a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-][a-z0-9]+)*)*)(?::([\w][\w.-]{0,127}))?(?:@(sha256:[0-9a-f]{64}))?$/;

const image = z
  .string()
  .superRefine((value, ctx) => {
    const m = IMAGE.exec(value);
    if (!m) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an image reference like registry/repository:tag or registry/repository@sha256:<digest>` });
      return;
    }
    const [, , , tag, digest] = m;
    // A moving tag lets a restart run code nobody deployed; a version tag at least names one.
    if (!digest && (tag === undefined || tag === 'latest')) {
      ctx.addIssue({ code: 'custom', message: `"${value}" ${tag ? 'uses latest' : 'has no tag'}; pin a version tag or, better, a digest (@sha256:…)` });
    }
  })
  .meta({
    description:
      'Container image, `registry/repository:tag` or `registry/repository@sha256:<digest>` (a digest cannot change under a running service: prefer it). No tag and `latest` are refused. A private ECR image in the environment\'s account gets pull rights on that repository only.',
  });

/** Environment variable names ECS passes: letters, digits, underscores, not starting with a digit. */
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
/** Names that say they hold a credential: those belong in `secrets`. */
const SECRET_LOOKING = /(PASSWORD|PASSWD|SECRET|TOKEN|PRIVATE_?KEY|API_?KEY|CREDENTIAL)/i;

const variableName = z.string().regex(VARIABLE, 'is not an environment variable name (letters, digits, _; not starting with a digit)');

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6>[:<json-key>:<stage>:<version>]` */
export const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:([a-z0-9-]+):(\d{12}):secret:[\w/+=.@-]+-[A-Za-z0-9]{6}(?::[^:]*:[^:]*:[^:]*)?$/;
/** `arn:aws:ssm:<region>:<account>:parameter/<path>` */
export const PARAMETER_ARN = /^arn:aws[a-z-]*:ssm:([a-z0-9-]+):(\d{12}):parameter\/[\w./-]{1,2048}$/;

const secretSchema = z
  .strictObject({
    name: variableName.meta({ description: 'Environment variable the value arrives in.' }),
    valueFrom: z
      .string()
      .refine((arn) => SECRET_ARN.test(arn) || PARAMETER_ARN.test(arn), {
        error: (issue) =>
          `${JSON.stringify(issue.input)} is not a Secrets Manager secret ARN (arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 characters>[:json-key:stage:version]) or an SSM parameter ARN (arn:aws:ssm:<region>:<account>:parameter/<path>)`,
      })
      .meta({ description: "Full ARN of a Secrets Manager secret (optionally `:json-key:version-stage:version-id`) or SSM parameter, in the environment's region and account. The execution role may read exactly these." }),
  })
  .meta({ description: 'A variable ECS fills from Secrets Manager or SSM Parameter Store when the task starts.' });

const shareSchema = z.strictObject({
  capacityProvider: z.enum(FARGATE_CAPACITY_PROVIDERS).meta({ description: '`FARGATE` (on demand) or `FARGATE_SPOT` (about 70 % cheaper, reclaimed with two minutes\' notice).' }),
  base: ranged(z.number().int(), ...CAPACITY_PROVIDER_LIMITS.base).default(0).meta({ description: 'Tasks placed here before the weights apply; only one entry may have one. Default: 0.' }),
  weight: ranged(z.number().int(), ...CAPACITY_PROVIDER_LIMITS.weight).meta({ description: `Share of the tasks beyond the bases, ${CAPACITY_PROVIDER_LIMITS.weight.join('–')}.` }),
});

const HC = TARGET_GROUP_DEFAULTS.healthCheck;

export const containerServiceSchema = z
  .strictObject({
    image,
    cpu: z
      .number()
      .int()
      .refine((c) => (FARGATE_CPU as readonly number[]).includes(c), { error: (issue) => `${String(issue.input)} is not a Fargate CPU size (${FARGATE_CPU.join(', ')})` })
      .meta({ description: `Task CPU units (1024 = 1 vCPU): ${FARGATE_CPU.join(', ')}.` }),
    memory: z.number().int().meta({ description: 'Task memory in MiB, one Fargate pairs with cpu: 256 → 512, 1024, 2048; 512 → 1024–4096; 1024 → 2048–8192; 2048 → 4096–16384; 4096 → 8192–30720 (steps of 1024); 8192 → 16384–61440 (4096); 16384 → 32768–122880 (8192).' }),
    containerPort: ranged(z.number().int(), 1, 65535).default(D.containerPort).meta({ description: `Port the container listens on; only the load balancer may reach it. Default: ${D.containerPort}.` }),
    environment: z
      // Names checked here, not as the record's key schema: zod would only say "Invalid key in record".
      .record(z.string(), z.string().max(32_768))
      .superRefine((vars, ctx) => {
        for (const key of Object.keys(vars)) {
          if (!VARIABLE.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `${key} is not an environment variable name (letters, digits, _; not starting with a digit)` });
          if (SECRET_LOOKING.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: `${key} looks like a credential; plain variables are readable by anyone who can describe the task definition: use secrets` });
          if (key.startsWith('ECS_') || key.startsWith('AWS_')) ctx.addIssue({ code: 'custom', path: [key], message: `${key}: the AWS_ and ECS_ prefixes are set by ECS and the SDKs` });
        }
      })
      .default({})
      .meta({ description: 'Plain, non-secret environment variables. Names that look like credentials (PASSWORD, SECRET, TOKEN, API_KEY, …) and the AWS_/ECS_ prefixes are refused: use secrets.' }),
    secrets: z
      .array(secretSchema)
      .superRefine((secrets, ctx) => reportDuplicates(secrets.map((s) => s.name), (i, name) => ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `${name} is used twice` })))
      .default([])
      .meta({ description: 'Variables filled from Secrets Manager or SSM Parameter Store at start, by ARN.' }),
    readonlyRootFilesystem: z.boolean().default(D.readonlyRootFilesystem).meta({ description: 'Read-only root filesystem (CKV_AWS_336); writablePaths get task storage. false needs a CKV_AWS_336 exception. Default: true.' }),
    writablePaths: z
      .array(z.string().regex(/^\/[\w./-]*$/, 'must be an absolute path'))
      .superRefine((paths, ctx) => reportDuplicates(paths, (i, p) => ctx.addIssue({ code: 'custom', path: [i], message: `${p} is listed twice` })))
      .default([])
      .meta({ description: 'Paths mounted writable from the task\'s ephemeral storage, e.g. /tmp, beside the read-only root. Default: none.' }),
    user: z
      .string()
      .regex(/^([0-9]+(:[0-9]+)?|[a-z_][a-z0-9_-]{0,31}(:[a-z_][a-z0-9_-]{0,31})?)$/, 'is not uid, uid:gid, user or user:group')
      .refine((u) => !/^(0|root)(:|$)/.test(u), { error: 'runs as root; name a non-root user' })
      .optional()
      .meta({ description: 'Non-root user the container runs as: uid, uid:gid, user or user:group (not root). Default: the image\'s.' }),
    stopTimeout: ranged(z.number().int(), 2, MAX_STOP_TIMEOUT).default(D.stopTimeout).meta({ description: `Seconds between SIGTERM and SIGKILL, 2–${MAX_STOP_TIMEOUT}: what the app has to drain. A Spot reclaim gives two minutes. Default: ${D.stopTimeout}.` }),
    minTasks: ranged(z.number().int(), 1, 1000).default(D.minTasks).meta({ description: `Fewest tasks (and the count at creation). Default: ${D.minTasks}.` }),
    maxTasks: ranged(z.number().int(), 1, 1000).default(D.maxTasks).meta({ description: `Most tasks scaling may run. Default: ${D.maxTasks}.` }),
    capacityProviderStrategy: z
      .array(shareSchema)
      .min(1)
      .superRefine((shares, ctx) => {
        reportDuplicates(shares.map((s) => s.capacityProvider), (i, p) => ctx.addIssue({ code: 'custom', path: [i, 'capacityProvider'], message: `${p} is listed twice` }));
        if (shares.filter((s) => s.base > 0).length > 1) ctx.addIssue({ code: 'custom', message: 'more than one entry has a base; ECS allows one' });
        if (shares.every((s) => s.weight === 0)) ctx.addIssue({ code: 'custom', message: 'every weight is 0; at least one must place tasks' });
      })
      .default(DEFAULT_CAPACITY_PROVIDER_STRATEGY.map((s) => ({ ...s, base: s.base ?? 0 })))
      .meta({ description: "Where tasks run. Default (the guide's): FARGATE base 2 weight 1, FARGATE_SPOT weight 4 — two on demand, then four in five on Spot." }),
    healthCheck: z
      .strictObject({ path: healthPath.default(HC.path), ...healthCheckFields(false) })
      .superRefine(timeoutUnderInterval)
      .prefault({})
      .meta({ description: `Target group health check on the container port. Default: ${HC.path}, ${HC.healthyThreshold}/${HC.unhealthyThreshold} every ${HC.interval} s, ${HC.timeout} s timeout, ${HC.matcher}.` }),
    deregistrationDelay: deregistrationDelay.default(D.deregistrationDelay).meta({ description: `Seconds a stopping task keeps its in-flight requests; under stopTimeout. Default: ${D.deregistrationDelay}.` }),
    healthCheckGracePeriod: ranged(z.number().int(), 0, 2_147_483_647).default(D.healthCheckGracePeriod).meta({ description: `Seconds after a task starts before failing health checks stop it. Default: ${D.healthCheckGracePeriod}.` }),
    listenerRule: z
      .strictObject({
        priority: ranged(z.number().int(), 1, 50000).meta({ description: 'Priority on the HTTPS listener, 1–50000; not one of loadBalancer.listenerRules\'.' }),
        hostHeaders: z.array(hostHeader).min(1).optional().meta({ description: 'Host names, any of which matches.' }),
        pathPatterns: z.array(pathPattern).min(1).optional().meta({ description: 'Path patterns, any of which matches, e.g. /api/*.' }),
      })
      .superRefine((rule, ctx) => {
        const values = (rule.hostHeaders?.length ?? 0) + (rule.pathPatterns?.length ?? 0);
        if (values === 0) ctx.addIssue({ code: 'custom', message: 'needs a condition: hostHeaders or pathPatterns' });
        if (values > MAX_CONDITION_VALUES) ctx.addIssue({ code: 'custom', message: `has ${values} host and path values; AWS allows ${MAX_CONDITION_VALUES} per rule` });
      })
      .meta({ description: 'Which requests of the HTTPS listener go to the service: host and/or path conditions (all must match) at a priority.' }),
    cpuTarget: ranged(z.number(), 1, 100).default(D.cpuTarget).meta({ description: `Average CPU % target tracking keeps the tasks at. Default: ${D.cpuTarget}.` }),
    requestsPerTarget: ranged(z.number().int(), 1, 1_000_000).optional().meta({ description: 'Requests per task per minute to track too (ALBRequestCountPerTarget). Default: CPU only.' }),
    scaleInCooldown: ranged(z.number().int(), 0, 3600).default(D.scaleInCooldown).meta({ description: `Seconds after a scale-in before another. Default: ${D.scaleInCooldown} (the guide's).` }),
    scaleOutCooldown: ranged(z.number().int(), 0, 3600).default(D.scaleOutCooldown).meta({ description: `Seconds after a scale-out before another. Default: ${D.scaleOutCooldown} (the guide's).` }),
    containerInsights: z.enum(['enabled', 'enhanced']).default(D.containerInsights).meta({ description: '`enabled` (default) or `enhanced` (task- and container-level metrics, billed as more custom metrics).' }),
    taskRole: z
      .strictObject({
        statements: z
          .array(statementSchema)
          .superRefine((statements, ctx) => {
            reportDuplicates(statements.flatMap((s) => (s.sid ? [s.sid] : [])), (_, sid) => ctx.addIssue({ code: 'custom', message: `sid ${sid} is used twice` }));
            // The task role's one inline policy is all of it: IAM's whole allowance.
            const size = policyCharacters(statements);
            if (size > MAX_INLINE_POLICY_CHARACTERS) ctx.addIssue({ code: 'custom', message: `policy is ${size} characters; a role's inline policies hold ${MAX_INLINE_POLICY_CHARACTERS} (IAM)` });
          })
          .default([])
          .meta({ description: 'The application\'s permissions, shaped and checked as instances.iam.statements. Default: none.' }),
      })
      .prefault({})
      .meta({ description: 'What the code in the tasks may do; it never holds the execution role.' }),
  })
  .superRefine((service, ctx) => {
    const size = fargateSizeProblem(service.cpu, service.memory);
    if (size) ctx.addIssue({ code: 'custom', path: ['memory'], message: size });
    if (service.maxTasks < service.minTasks) ctx.addIssue({ code: 'custom', path: ['maxTasks'], message: `${service.maxTasks} is below minTasks (${service.minTasks})` });
    if (service.deregistrationDelay >= service.stopTimeout) {
      ctx.addIssue({ code: 'custom', path: ['deregistrationDelay'], message: `${service.deregistrationDelay} s must be under stopTimeout (${service.stopTimeout} s): ECS kills the task before draining ends` });
    }
  })
  .meta({ description: "A Fargate service behind the load balancer (the guide's pattern): Container Insights, FARGATE and FARGATE_SPOT, a hardened task, a listener rule, target tracking. Omitted: none." });

export type ContainerServiceSpec = z.output<typeof containerServiceSchema>;

/** What the rules read from other sections, each present only when it parsed. */
export interface ContainerServiceContext {
  containerService?: ContainerServiceSpec;
  loadBalancer?: { listenerRules: readonly { priority: number }[] };
  region?: string;
  account?: string;
}

/** The service's rule shares the listener with loadBalancer.listenerRules; its secrets are the environment's. */
export function checkContainerService(env: ContainerServiceContext, report: Report): void {
  const service = env.containerService;
  if (!service) return;
  const priority = service.listenerRule.priority;
  if (env.loadBalancer?.listenerRules.some((r) => r.priority === priority)) {
    report(['containerService', 'listenerRule', 'priority'], `${priority} is also a priority of loadBalancer.listenerRules; each rule of the listener needs its own`);
  }
  service.secrets.forEach((secret, i) => {
    const [, region, account] = SECRET_ARN.exec(secret.valueFrom) ?? PARAMETER_ARN.exec(secret.valueFrom) ?? [];
    const path = ['containerService', 'secrets', i, 'valueFrom'];
    if (env.region && region !== env.region) report(path, `is in ${region}; ECS reads secrets from the task's region, ${env.region}`);
    if (env.account && account !== env.account) report(path, `belongs to account ${account}, not the environment's ${env.account}`);
  });
}

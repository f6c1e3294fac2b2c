/**
 * containerService: each field's named error, the cross-section rules
 * (listener priority, secrets' region and account), and its defaults.
 */
import { describe, expect, it } from 'vitest';
import { validateEnvironments } from '../../environments/load';
import type { EnvironmentInput } from '../../environments/schema';
import staging from '../../environments/staging';
import { problemsFor } from '../support/problems';

type Service = NonNullable<EnvironmentInput['containerService']>;
const SECRET = 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:web-app/db-AbCdEf';
const PARAMETER = 'arn:aws:ssm:ap-northeast-2:123456789012:parameter/web-app/flags';

/** Problems of staging with its service changed by `change`. */
const problemsWith = (change: (service: Service, env: EnvironmentInput) => void) =>
  problemsFor((env) => change(env.containerService!, env), [], staging);

describe('containerService fields', () => {
  it('staging as shipped passes, with the defaults filled in', () => {
    expect(problemsWith(() => {})).toEqual([]);
    const [env] = validateEnvironments([{ file: 'staging.ts', data: staging }]);
    expect(env!.containerService).toMatchObject({
      stopTimeout: 120,
      readonlyRootFilesystem: true,
      capacityProviderStrategy: [
        { capacityProvider: 'FARGATE', base: 2, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', base: 0, weight: 4 },
      ],
      cpuTarget: 70,
      scaleInCooldown: 300,
      scaleOutCooldown: 60,
      deregistrationDelay: 30,
      containerInsights: 'enabled',
      environment: {},
      secrets: [],
      taskRole: { statements: [] },
    });
  });

  it.each([
    ['nginx', /"nginx" has no tag; pin a version tag or, better, a digest/],
    ['public.ecr.aws/nginx/nginx:latest', /uses latest/],
    ['Public.ECR/Nginx:1', /is not an image reference/],
    ['public.ecr.aws/nginx/nginx@sha256:abc', /is not an image reference/],
  ])('image %s is refused', (image, message) => {
    expect(problemsWith((s) => (s.image = image))).toEqual([expect.stringMatching(new RegExp(`^staging\\.containerService\\.image: .*${message.source}`))]);
  });

  it('accepts a digest, a tag, a private ECR repository and Docker Hub', () => {
    for (const image of ['public.ecr.aws/nginx/nginx@sha256:' + 'f'.repeat(64), '123456789012.dkr.ecr.ap-northeast-2.amazonaws.com/web/api:1.4.2', 'library/nginx:1.27', 'registry.example.com:5000/team/app:v2@sha256:' + '0'.repeat(64)]) {
      expect(problemsWith((s) => (s.image = image))).toEqual([]);
    }
  });

  it('Fargate task sizes', () => {
    expect(problemsWith((s) => (s.memory = 4096))).toEqual(['staging.containerService.memory: 4096 MiB does not go with 256 CPU units on Fargate; use 512, 1024, 2048 MiB']);
    expect(problemsWith((s) => (s.cpu = 300))).toEqual([expect.stringMatching(/^staging\.containerService\.cpu: 300 is not a Fargate CPU size/), expect.stringMatching(/^staging\.containerService\.memory: /)]);
    expect(problemsWith((s) => ((s.cpu = 4096), (s.memory = 30720)))).toEqual([]);
  });

  it('environment: names, credentials and reserved prefixes', () => {
    expect(problemsWith((s) => (s.environment = { DB_PASSWORD: 'x' }))).toEqual([expect.stringMatching(/^staging\.containerService\.environment\.DB_PASSWORD: DB_PASSWORD looks like a credential.*use secrets$/)]);
    expect(problemsWith((s) => (s.environment = { AWS_REGION: 'x' }))).toEqual([expect.stringMatching(/^staging\.containerService\.environment\.AWS_REGION: .*AWS_ and ECS_ prefixes/)]);
    expect(problemsWith((s) => (s.environment = { '1BAD': 'x' }))[0]).toMatch(/^staging\.containerService\.environment.*is not an environment variable name/);
    expect(problemsWith((s) => (s.environment = { LOG_LEVEL: 'debug' }))).toEqual([]);
  });

  it('secrets: ARN formats, the environment\'s region and account, one name once', () => {
    expect(problemsWith((s) => (s.secrets = [{ name: 'DB', valueFrom: SECRET }, { name: 'FLAGS', valueFrom: `${PARAMETER}` }, { name: 'KEY', valueFrom: `${SECRET}:key::` }]))).toEqual([]);
    expect(problemsWith((s) => (s.secrets = [{ name: 'DB', valueFrom: 'arn:aws:secretsmanager:ap-northeast-2:123456789012:secret:db' }]))).toEqual([
      expect.stringMatching(/^staging\.containerService\.secrets\[0\]\.valueFrom: .* is not a Secrets Manager secret ARN/),
    ]);
    expect(problemsWith((s) => (s.secrets = [{ name: 'DB', valueFrom: SECRET.replace('ap-northeast-2', 'us-east-1') }]))).toEqual([
      "staging.containerService.secrets[0].valueFrom: is in us-east-1; ECS reads secrets from the task's region, ap-northeast-2",
    ]);
    expect(problemsWith((s) => (s.secrets = [{ name: 'DB', valueFrom: PARAMETER.replace('123456789012', '210987654321') }]))).toEqual([
      "staging.containerService.secrets[0].valueFrom: belongs to account 210987654321, not the environment's 123456789012",
    ]);
    expect(problemsWith((s) => (s.secrets = [{ name: 'DB', valueFrom: SECRET }, { name: 'DB', valueFrom: PARAMETER }]))).toEqual(['staging.containerService.secrets[1].name: DB is used twice']);
  });

  it('user: not root', () => {
    expect(problemsWith((s) => (s.user = 'root'))).toEqual(['staging.containerService.user: runs as root; name a non-root user']);
    expect(problemsWith((s) => (s.user = '0:0'))).toEqual(['staging.containerService.user: runs as root; name a non-root user']);
    expect(problemsWith((s) => (s.user = '1000:1000'))).toEqual([]);
  });

  it('stopTimeout, draining and task counts', () => {
    expect(problemsWith((s) => (s.stopTimeout = 121))).toEqual(['staging.containerService.stopTimeout: 121 is outside 2–120']);
    expect(problemsWith((s) => ((s.stopTimeout = 30), (s.deregistrationDelay = 30)))).toEqual([
      'staging.containerService.deregistrationDelay: 30 s must be under stopTimeout (30 s): ECS kills the task before draining ends',
    ]);
    expect(problemsWith((s) => (s.maxTasks = 1))).toEqual(['staging.containerService.maxTasks: 1 is below minTasks (2)']);
  });

  it('capacity provider strategy: one base, some weight, each provider once', () => {
    expect(problemsWith((s) => (s.capacityProviderStrategy = [{ capacityProvider: 'FARGATE', base: 1, weight: 1 }, { capacityProvider: 'FARGATE_SPOT', base: 1, weight: 1 }]))).toEqual([
      'staging.containerService.capacityProviderStrategy: more than one entry has a base; ECS allows one',
    ]);
    expect(problemsWith((s) => (s.capacityProviderStrategy = [{ capacityProvider: 'FARGATE_SPOT', weight: 0 }]))).toEqual([
      'staging.containerService.capacityProviderStrategy: every weight is 0; at least one must place tasks',
    ]);
    expect(problemsWith((s) => (s.capacityProviderStrategy = [{ capacityProvider: 'FARGATE', weight: 1 }, { capacityProvider: 'FARGATE', weight: 2 }]))).toEqual([
      'staging.containerService.capacityProviderStrategy[1].capacityProvider: FARGATE is listed twice',
    ]);
  });

  it('listener rule: a condition, the shared patterns, a priority of its own', () => {
    expect(problemsWith((s) => (s.listenerRule = { priority: 100 }))).toEqual(['staging.containerService.listenerRule: needs a condition: hostHeaders or pathPatterns']);
    expect(problemsWith((s) => (s.listenerRule = { priority: 100, pathPatterns: ['/api/ *'] }))[0]).toMatch(/^staging\.containerService\.listenerRule\.pathPatterns\[0\]: is not a path pattern/);
    expect(
      problemsWith((_, env) => {
        env.loadBalancer = { listenerRules: [{ priority: 100, pathPatterns: ['/old/*'], fixedResponse: { statusCode: 410 } }] };
      }),
    ).toEqual(["staging.containerService.listenerRule.priority: 100 is also a priority of loadBalancer.listenerRules; each rule of the listener needs its own"]);
  });

  it('task role statements are checked as instances.iam.statements', () => {
    expect(problemsWith((s) => (s.taskRole = { statements: [{ actions: ['s3:*'], resources: ['arn:aws:s3:::b/*'] }] }))).toEqual([
      expect.stringMatching(/^staging\.containerService\.taskRole\.statements\[0\]\.actions\[0\]: s3:\* allows every action of the service/),
    ]);
    expect(problemsWith((s) => (s.taskRole = { statements: [{ actions: ['s3:GetObject'], resources: ['*'] }] }))[0]).toMatch(/resources\[0\]: \* grants every resource/);
  });

  it('health check as the load balancer\'s: timeout under interval', () => {
    expect(problemsWith((s) => (s.healthCheck = { path: '/', interval: 5, timeout: 5 }))).toEqual(['staging.containerService.healthCheck.timeout: 5 s must be less than the interval (5 s)']);
  });
});

describe('task role size', () => {
  it("refuses statements beyond IAM's inline policy size", () => {
    const statements = Array.from({ length: 60 }, (_, i) => ({ sid: `S${i}`, actions: ['s3:GetObject'], resources: [`arn:aws:s3:::bucket-${'x'.repeat(120)}-${i}/*`] }));
    expect(problemsWith((s) => (s.taskRole = { statements }))).toEqual([expect.stringMatching(/^staging\.containerService\.taskRole\.statements: policy is \d+ characters; a role's inline policies hold 10240 \(IAM\)$/)]);
  });
});

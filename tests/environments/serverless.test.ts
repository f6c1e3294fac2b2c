/**
 * The serverlessApi section (environments/schema/serverless.ts) and its
 * cross-field rules: each on a copy of staging changed in one place,
 * asserting the exact line a user reads; the defaults; a seeded property
 * test of the concurrency limits against AWS's arithmetic.
 */
import { describe, expect, it } from 'vitest';
import { validateEnvironments } from '../../environments/load';
import staging from '../../environments/staging';
import type { EnvironmentInput } from '../../environments/schema';
import { DEFAULT_ACCOUNT_CONCURRENCY, MIN_UNRESERVED_CONCURRENCY } from '../../environments/schema/serverless';
import { SERVERLESS_API_DEFAULTS } from '../../modules/serverless';
import { problemsFor } from '../support/problems';
import { seededRandom } from '../support/random';

type ServerlessInput = NonNullable<EnvironmentInput['serverlessApi']>;
const base: ServerlessInput = { listenerRule: { priority: 200, pathPatterns: ['/fn/*'] }, reservedConcurrency: 20 };

const problems = (serverlessApi: Partial<ServerlessInput>, mutate: (env: EnvironmentInput) => void = () => undefined) =>
  problemsFor(
    (e) => {
      e.serverlessApi = { ...base, ...serverlessApi };
      mutate(e);
    },
    [],
    staging,
  );
const parsed = (serverlessApi: ServerlessInput = base) => validateEnvironments([{ file: 'staging.ts', data: { ...structuredClone(staging), serverlessApi } }])[0]!.serverlessApi;

describe('defaults', () => {
  it('the shipped handler, the guide\'s asynchronous settings, no provisioned concurrency', () => {
    expect(parsed()).toEqual({
      listenerRule: { priority: 200, pathPatterns: ['/fn/*'] },
      reservedConcurrency: 20,
      memorySize: SERVERLESS_API_DEFAULTS.memorySize,
      timeout: SERVERLESS_API_DEFAULTS.timeout,
      multiValueHeaders: false,
      healthCheckPath: '/health',
      accountConcurrencyLimit: 1000,
      provisionedSchedules: [],
      maximumEventAgeInSeconds: 60,
      maximumRetryAttempts: 0,
    });
  });

  it('a team\'s code gets index.handler on nodejs22.x unless it says otherwise', () => {
    expect(parsed({ ...base, code: { s3Bucket: 'team-artifacts', s3Key: 'api.zip' } })?.code).toEqual({ s3Bucket: 'team-artifacts', s3Key: 'api.zip', handler: 'index.handler', runtime: 'nodejs22.x' });
  });

  it('staging ships it: /fn/* at 200, reserved 20, 2 warm on weekdays 09–18 Seoul', () => {
    const api = validateEnvironments([{ file: 'staging.ts', data: structuredClone(staging) }])[0]!.serverlessApi;
    expect(api?.listenerRule).toEqual({ priority: 200, pathPatterns: ['/fn/*'] });
    expect(api?.reservedConcurrency).toBe(20);
    expect(api?.provisionedSchedules.map((s) => [s.recurrence, s.timeZone, s.provisionedConcurrency])).toEqual([
      ['0 9 * * 1-5', 'Asia/Seoul', 2],
      ['0 18 * * 1-5', 'Asia/Seoul', 0],
    ]);
  });
});

describe('named errors', () => {
  it.each<[string, Partial<ServerlessInput>, string]>([
    ['a rule without a condition', { listenerRule: { priority: 200 } }, 'staging.serverlessApi.listenerRule: needs a condition: hostHeaders or pathPatterns'],
    ['too many condition values', { listenerRule: { priority: 200, pathPatterns: ['/a', '/b', '/c', '/d', '/e', '/f'] } }, 'staging.serverlessApi.listenerRule: has 6 host and path values; AWS allows 5 per rule'],
    ['a priority out of range', { listenerRule: { priority: 50001, pathPatterns: ['/fn/*'] } }, 'staging.serverlessApi.listenerRule.priority'],
    ['a bad path pattern', { listenerRule: { priority: 200, pathPatterns: ['/fn/ x'] } }, 'staging.serverlessApi.listenerRule.pathPatterns[0]: is not a path pattern'],
    ['no reservation', { reservedConcurrency: 0 }, 'staging.serverlessApi.reservedConcurrency: must be at least 1 (0 would throttle every request)'],
    ['a reservation AWS refuses', { reservedConcurrency: 901 }, 'staging.serverlessApi.reservedConcurrency: 901 leaves fewer than 100 of the account\'s 1000 unreserved; at most 900'],
    ['a reservation in a small account', { reservedConcurrency: 60, accountConcurrencyLimit: 150 }, 'staging.serverlessApi.reservedConcurrency: 60 leaves fewer than 100 of the account\'s 150 unreserved; at most 50'],
    ['more provisioned than reserved', { provisionedConcurrency: 21 }, 'staging.serverlessApi.provisionedConcurrency: 21 > reservedConcurrency 20'],
    ['provisioned and schedules', { provisionedConcurrency: 2, provisionedSchedules: [{ name: 'day', recurrence: '0 9 * * *', provisionedConcurrency: 2 }] }, 'staging.serverlessApi.provisionedSchedules: cannot be combined with provisionedConcurrency'],
    ['a schedule above the reservation', { provisionedSchedules: [{ name: 'day', recurrence: '0 9 * * *', provisionedConcurrency: 30 }] }, 'staging.serverlessApi.provisionedSchedules[0].provisionedConcurrency: 30 > reservedConcurrency 20'],
    ['a schedule name twice', { provisionedSchedules: [{ name: 'day', recurrence: '0 9 * * *', provisionedConcurrency: 2 }, { name: 'day', recurrence: '0 18 * * *', provisionedConcurrency: 0 }] }, 'staging.serverlessApi.provisionedSchedules[1].name: day is used twice'],
    ['a bad cron', { provisionedSchedules: [{ name: 'day', recurrence: '0 25 * * *', provisionedConcurrency: 2 }] }, 'staging.serverlessApi.provisionedSchedules[0].recurrence: "0 25 * * *" is not a valid cron expression'],
    ['a cron AWS cannot express', { provisionedSchedules: [{ name: 'day', recurrence: '0 9 1 * 1', provisionedConcurrency: 2 }] }, 'staging.serverlessApi.provisionedSchedules[0].recurrence: "0 9 1 * 1" is not a valid cron expression: restricts both day-of-month and day-of-week'],
    ['a six-field cron', { provisionedSchedules: [{ name: 'day', recurrence: '0 9 * * * *', provisionedConcurrency: 2 }] }, 'staging.serverlessApi.provisionedSchedules[0].recurrence: "0 9 * * * *" is not a valid cron expression: has 6 fields, needs 5'],
    ['an unknown time zone', { provisionedSchedules: [{ name: 'day', recurrence: '0 9 * * *', timeZone: 'Asia/Gangnam', provisionedConcurrency: 2 }] }, 'staging.serverlessApi.provisionedSchedules[0].timeZone: "Asia/Gangnam" is not an IANA time zone'],
    ['an event age AWS refuses', { maximumEventAgeInSeconds: 59 }, 'staging.serverlessApi.maximumEventAgeInSeconds'],
    ['three retries', { maximumRetryAttempts: 3 }, 'staging.serverlessApi.maximumRetryAttempts'],
    ['memory above 10 GB', { memorySize: 10241 }, 'staging.serverlessApi.memorySize'],
    ['a timeout over 15 minutes', { timeout: 901 }, 'staging.serverlessApi.timeout'],
    ['a bad bucket', { code: { s3Bucket: 'Team_Artifacts', s3Key: 'api.zip' } }, 'staging.serverlessApi.code.s3Bucket: is not an S3 bucket name'],
    ['a health check path without /', { healthCheckPath: 'health' }, 'staging.serverlessApi.healthCheckPath: is not a path'],
  ])('%s', (_, change, expected) => {
    const found = problems(change);
    expect(found.some((p) => p.startsWith(expected)), found.join('\n')).toBe(true);
  });

  it('a priority taken by loadBalancer.listenerRules is refused at the serverless rule', () => {
    const found = problems({}, (e) => {
      e.loadBalancer = { ...e.loadBalancer, listenerRules: [{ priority: 200, pathPatterns: ['/old/*'], fixedResponse: { statusCode: 404 } }] };
    });
    expect(found).toContain('staging.serverlessApi.listenerRule.priority: 200 is already the priority of loadBalancer.listenerRules[0]');
  });

  it('a priority taken by the container service is refused too: one listener, one rule per priority', () => {
    const found = problems({ listenerRule: { priority: 100, pathPatterns: ['/fn/*'] } }, (e) => {
      e.containerService = { ...staging.containerService!, listenerRule: { priority: 100, pathPatterns: ['/api/*'] } };
    });
    expect(found).toContain('staging.serverlessApi.listenerRule.priority: 100 is already the priority of containerService.listenerRule');
  });

  it('the Spot handler\'s reservation counts against the same unreserved 100', () => {
    expect(problems({ reservedConcurrency: 899 })).toContain(
      'staging.serverlessApi.reservedConcurrency: 899 + the Spot handler\'s 2 leave fewer than 100 of the account\'s 1000 unreserved; at most 898',
    );
    expect(problems({ reservedConcurrency: 899 }, (e) => (e.resilience = { ...e.resilience, spotInterruptionHandler: { enabled: false } }))).toEqual([]);
  });

  it('an unknown field is refused', () => {
    expect(problems({ reserved: 3 } as Partial<ServerlessInput>).join('\n')).toMatch(/staging\.serverlessApi: .*reserved/);
  });
});

describe('concurrency limits, as AWS counts them', () => {
  it('accepts a reservation exactly when reserved + the Spot handler\'s leaves 100 unreserved, and provisioned ≤ reserved', () => {
    const random = seededRandom(17);
    for (let i = 0; i < 40; i++) {
      const limit = MIN_UNRESERVED_CONCURRENCY + Math.floor(random() * 2 * DEFAULT_ACCOUNT_CONCURRENCY);
      const reserved = 1 + Math.floor(random() * limit);
      const provisioned = 1 + Math.floor(random() * reserved * 1.5);
      const found = problems({ accountConcurrencyLimit: limit, reservedConcurrency: reserved, provisionedConcurrency: provisioned });
      const fits = reserved + 2 <= limit - MIN_UNRESERVED_CONCURRENCY && provisioned <= reserved;
      expect(found.length === 0, `${limit}/${reserved}/${provisioned}: ${found.join('; ')}`).toBe(fits);
    }
  });
});

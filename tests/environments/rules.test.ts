/**
 * One test per cross-field rule (environments/schema/rules.ts and the
 * section rules it calls), each on a copy of prod changed in that one place
 * and asserting the exact line a user reads.
 */
import { describe, expect, it } from 'vitest';
import dev from '../../environments/dev';
import type { EnvironmentInput } from '../../environments/schema';
import { problemsFor } from '../support/problems';

type Standby = Extract<NonNullable<NonNullable<EnvironmentInput['dns']>['failover']>, { kind: 'standby-region' }>;
const standby = (e: EnvironmentInput) => e.dns!.failover as Standby;
type StepPolicy = NonNullable<NonNullable<EnvironmentInput['scaling']>['stepPolicies']>[number];
const stepPolicy = (steps: StepPolicy['steps'], comparison: 'above' | 'below' = 'above'): StepPolicy => ({ name: 'spike', threshold: 80, comparison, steps });

describe('cross-field rules', () => {
  it('the certificate is in the primary region', () => {
    expect(problemsFor((e) => (e.certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f'), [], dev)).toEqual([
      'dev.certificateArn: certificate is in us-east-1; an ALB in ap-northeast-2 needs one from ap-northeast-2',
    ]);
  });

  it('the certificate belongs to the environment account', () => {
    expect(problemsFor((e) => (e.certificateArn = 'arn:aws:acm:ap-northeast-2:210987654321:certificate/0f1e2d3c-4b5a-4c6d-8e7f-9a0b1c2d3e4f'), [], dev)).toEqual([
      "dev.certificateArn: certificate belongs to account 210987654321, not the environment's 123456789012",
    ]);
  });

  it('project + name fit in 24 characters', () => {
    expect(problemsFor((e) => ((e.project = 'webshop-frontend'), (e.name = 'production1')))).toEqual([
      'production1.name: "webshop-frontend-production1" is 28 characters; project + name must fit in 24',
    ]);
  });

  it('"state-backend" is refused as an environment name', () => {
    // Today the 12-character limit refuses it first; the reserved-name rule stands behind it should the limit grow.
    const problems = problemsFor((e) => (e.name = 'state-backend'));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^state-backend\.name: /);
  });

  it('availability zones are distinct, primary and standby', () => {
    expect(problemsFor((e) => (e.availabilityZones = ['ap-northeast-2a', 'ap-northeast-2a']))).toEqual(['prod.availabilityZones[1]: duplicate availability zone ap-northeast-2a']);
    expect(problemsFor((e) => (standby(e).availabilityZones = ['ap-northeast-1a', 'ap-northeast-1a']))).toEqual([
      'prod.dns.failover.availabilityZones[1]: duplicate availability zone ap-northeast-1a',
    ]);
  });

  it("the standby's /24 subnets fit in its VPC", () => {
    expect(problemsFor((e) => (standby(e).vpcCidr = '10.31.0.0/26'))).toEqual(['prod.dns.failover.vpcCidr: 2 public + 2 private /24 subnets do not fit in 10.31.0.0/26']);
  });

  it('the standby is in another region, and no larger than the primary', () => {
    expect(problemsFor((e) => ((standby(e).region = 'ap-northeast-2'), (standby(e).availabilityZones = ['ap-northeast-2a', 'ap-northeast-2c'])))).toEqual([
      'prod.dns.failover.region: ap-northeast-2 is the primary region; the standby must be in another',
    ]);
    expect(problemsFor((e) => (standby(e).capacity = { minSize: 3, maxSize: 40 }))).toEqual([
      'prod.dns.failover.capacity: standby maxSize 40 > primary maxSize 30',
      'prod.dns.failover.capacity: standby minSize 3 > primary minSize 2',
    ]);
    expect(problemsFor((e) => (standby(e).capacity = { minSize: 2, maxSize: 1 }))).toContain('prod.dns.failover.capacity: minSize 2 > maxSize 1');
  });

  it('forecasting on requests needs a requests target', () => {
    expect(problemsFor((e) => ((e.scaling!.requestsPerTarget = undefined), (e.scaling!.predictive = { metric: 'requests' })))).toEqual([
      'prod.scaling.predictive.metric: forecasting on requests needs scaling.requestsPerTarget as its target',
    ]);
  });

  it('maxCapacityBuffer only with IncreaseMaxCapacity', () => {
    expect(problemsFor((e) => (e.scaling!.predictive = { maxCapacityBreachBehavior: 'HonorMaxCapacity', maxCapacityBuffer: 10 }))).toEqual([
      'prod.scaling.predictive.maxCapacityBuffer: only applies with maxCapacityBreachBehavior IncreaseMaxCapacity',
    ]);
    expect(problemsFor((e) => (e.scaling!.predictive = { maxCapacityBreachBehavior: 'IncreaseMaxCapacity', maxCapacityBuffer: 10 }))).toEqual([]);
  });

  it('policy names are unique across step and simple policies; schedule names are unique', () => {
    expect(
      problemsFor((e) => {
        e.scaling!.stepPolicies = [stepPolicy([{ lower: 0, adjustment: 1 }])];
        e.scaling!.simplePolicies = [{ name: 'spike', threshold: 90, adjustment: 2 }];
      }),
    ).toEqual(['prod.scaling: duplicate scaling policy name spike']);
    expect(
      problemsFor((e) => (e.scaling!.schedules = [
        { name: 'night', recurrence: '0 20 * * *', minSize: 1 },
        { name: 'night', recurrence: '0 22 * * *', minSize: 0 },
      ])),
    ).toEqual(['prod.scaling.schedules[1].name: duplicate schedule name night']);
  });

  it('step adjustments point the right way, with open outer bounds and no gaps', () => {
    const steps = (list: StepPolicy['steps'], comparison?: 'above' | 'below') => problemsFor((e) => (e.scaling!.stepPolicies = [stepPolicy(list, comparison)]));
    expect(steps([{ lower: -10, upper: 0, adjustment: 1 }, { lower: 0, adjustment: 2 }])).toEqual([
      'prod.scaling.stepPolicies[0].steps: a scale-out (above) policy needs lower bounds ≥ 0',
    ]);
    expect(steps([{ lower: 0, upper: 10, adjustment: 1 }])).toEqual(['prod.scaling.stepPolicies[0].steps: the last step needs no upper bound']);
    expect(steps([{ lower: 0, upper: 10, adjustment: 1 }, { lower: 20, adjustment: 2 }])).toEqual([
      'prod.scaling.stepPolicies[0].steps: steps must be contiguous: one ends at 10, the next starts at 20',
    ]);
    expect(steps([{ lower: 5, upper: 5, adjustment: 1 }, { lower: 5, adjustment: 2 }])).toEqual(['prod.scaling.stepPolicies[0].steps: step [5, 5) is empty']);
    expect(steps([{ upper: 0, adjustment: -1 }], 'below')).toEqual([]);
    expect(steps([{ upper: 10, adjustment: -1 }], 'below')).toEqual(['prod.scaling.stepPolicies[0].steps: a scale-in (below) policy needs upper bounds ≤ 0']);
    expect(steps([{ lower: -20, upper: 0, adjustment: -1 }], 'below')).toEqual(['prod.scaling.stepPolicies[0].steps: the first step needs no lower bound']);
  });

  it('schedule sizes set something and agree with each other', () => {
    const schedule = (sizes: { minSize?: number; maxSize?: number; desiredCapacity?: number }) =>
      problemsFor((e) => (e.scaling!.schedules = [{ name: 'night', recurrence: '0 20 * * *', ...sizes }]));
    expect(schedule({})).toEqual(['prod.scaling.schedules[0]: sets none of minSize, maxSize, desiredCapacity']);
    expect(schedule({ minSize: 3, maxSize: 2 })).toEqual(['prod.scaling.schedules[0]: minSize 3 > maxSize 2']);
    expect(schedule({ minSize: 2, desiredCapacity: 1 })).toEqual(['prod.scaling.schedules[0]: desiredCapacity 1 < minSize 2']);
    expect(schedule({ maxSize: 2, desiredCapacity: 3 })).toEqual(['prod.scaling.schedules[0]: desiredCapacity 3 > maxSize 2']);
    // The edges Auto Scaling accepts (mutation testing found them unguarded).
    expect(schedule({ minSize: 2, maxSize: 2, desiredCapacity: 2 })).toEqual([]);
    expect(schedule({ maxSize: 2 })).toEqual([]);
    expect(schedule({ desiredCapacity: 0 })).toEqual([]);
  });

  it('capacity and the on-demand base accept their edges: min = desired = max, base = max', () => {
    expect(problemsFor((e) => (e.capacity = { minSize: 3, maxSize: 3, desiredCapacity: 3 }), [], dev)).toEqual([]);
    expect(problemsFor((e) => (e.capacity = { minSize: 2, maxSize: 30, desiredCapacity: 30 }))).toEqual([]);
    expect(problemsFor((e) => (e.capacity = { minSize: 2, maxSize: 30, desiredCapacity: 31 }))).toEqual(['prod.capacity: desiredCapacity 31 is outside [minSize 2, maxSize 30]']);
    expect(problemsFor((e) => (e.instancesDistribution = { ...e.instancesDistribution, onDemandBaseCapacity: 30 }))).toEqual([]);
  });

  it('chaos needs Spot instances to interrupt', () => {
    expect(
      problemsFor((e) => ((e.resilience = { chaos: {} }), (e.instancesDistribution = { onDemandPercentageAboveBaseCapacity: 100 }))),
    ).toEqual(['prod.resilience.chaos: interrupts Spot instances, but instancesDistribution buys everything on demand']);
  });

  it('a waiver is given once per rule and resource', () => {
    const waiver = { rule: 'CKV2_AWS_11', resource: 'primary/network/vpc', reason: 'flow logs are shipped by another account' };
    expect(problemsFor((e) => (e.securityExceptions = [waiver, waiver]), [], dev)).toContain('dev.securityExceptions[1]: CKV2_AWS_11 is already waived for primary/network/vpc');
  });

  it('a production waiver gives its reason in a sentence: 40 characters or more, ending with a period', () => {
    const waiver = (reason: string) => [{ rule: 'CKV2_AWS_11', resource: 'primary/network/vpc', reason }];
    expect(problemsFor((e) => (e.securityExceptions = waiver('flow logs are shipped by another account')))).toEqual([
      'prod.securityExceptions[0].reason: a production waiver needs a reason of at least one sentence: 40 characters or more, ending with a period (this one has 40, no final period)',
    ]);
    expect(problemsFor((e) => (e.securityExceptions = waiver('Flow logs are shipped elsewhere.')))).toEqual([
      'prod.securityExceptions[0].reason: a production waiver needs a reason of at least one sentence: 40 characters or more, ending with a period (this one has 32)',
    ]);
    expect(problemsFor((e) => (e.securityExceptions = waiver('Flow logs are shipped by the network account, which keeps them.')))).toEqual([]);
    // Not production: 20 characters are enough, as dev's own waiver shows.
    expect(problemsFor((e) => (e.securityExceptions = waiver('flow logs are shipped by another account')), [], dev)).toEqual([]);
  });

  it('the permissions boundary and key administrators are of the environment account', () => {
    expect(
      problemsFor(
        (e) =>
          (e.security = {
            permissionsBoundaryArn: 'arn:aws:iam::123456789012:policy/web-app-workload-boundary',
            keyAdministratorArns: ['arn:aws:iam::210987654321:role/kms-admin', 'arn:aws:iam::123456789012:role/kms-admin'],
          }),
      ),
    ).toEqual([
      "prod.security.permissionsBoundaryArn: policy belongs to account 123456789012, not the environment's 210987654321",
      "prod.security.keyAdministratorArns[1]: role belongs to account 123456789012, not the environment's 210987654321",
    ]);
  });
});

/**
 * Lambda provisioned concurrency in the cost estimate: GB-hours held, a
 * constant config all month, a schedule replayed over a week in its time
 * zone; staging's as shipped (2 × 256 MB on weekdays 09–18 Seoul).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_ASSUMPTIONS, estimateStack } from '../../../tools/synth-model/estimate';
import { loadPriceTable, type PriceTable } from '../../../tools/synth-model/price-table';
import { fromAwsCron, provisionedConcurrency } from '../../../tools/synth-model/provisioned-concurrency';
import { cents } from '../../../tools/synth-model/split';
import { readStack } from '../../../tools/synth-model/stack-model';
import type { TfJson } from '../../../tools/synth-model/tf-json';
import { stackNamed, synthApp } from '../../support/synth';

const PRICES: PriceTable = {
  ...loadPriceTable(),
  regions: { 'test-east-1': { ...Object.values(loadPriceTable().regions)[0]!, lambdaProvisionedGbSecond: 0.000005, lambdaProvisionedArmGbSecond: 0.000004 } },
};

function stackWith(resources: TfJson['resource']): TfJson {
  return { terraform: {}, provider: { aws: [{ region: 'test-east-1' }] }, resource: resources };
}

const fn = { function_name: 'app-api', memory_size: 512, architectures: ['arm64'] };

describe('provisioned concurrency, priced', () => {
  it('a constant config: concurrency × GB × 730 h at the arm64 price', () => {
    const stack = stackWith({
      aws_lambda_function: { api: fn },
      aws_lambda_provisioned_concurrency_config: { warm: { function_name: '${aws_lambda_function.api.function_name}', qualifier: 'live', provisioned_concurrent_executions: 4 } },
    });
    const line = estimateStack(readStack('s', stack), PRICES, DEFAULT_ASSUMPTIONS).lines.find((l) => l.unit.startsWith('GB-hours of provisioned'));
    expect(line).toMatchObject({ unit: 'GB-hours of provisioned concurrency (arm64)', quantity: 4 * 0.5 * 730, monthly: cents(4 * 0.5 * 730 * 0.000004 * 3600) });
  });

  it('scheduled: 10 on weekdays 09–18 Seoul, 0 otherwise → 45 of 168 hours', () => {
    const stack = stackWith({
      aws_lambda_function: { api: { ...fn, architectures: ['x86_64'] } },
      aws_appautoscaling_target: { pc: { service_namespace: 'lambda', scalable_dimension: 'lambda:function:ProvisionedConcurrency', resource_id: 'function:app-api:live', min_capacity: 0, max_capacity: 10 } },
      aws_appautoscaling_scheduled_action: {
        day: { name: 'app-api-day', resource_id: '${aws_appautoscaling_target.pc.resource_id}', schedule: 'cron(0 9 ? * MON-FRI *)', timezone: 'Asia/Seoul', scalable_target_action: { min_capacity: '10', max_capacity: '10' } },
        night: { name: 'app-api-night', resource_id: '${aws_appautoscaling_target.pc.resource_id}', schedule: 'cron(0 18 ? * MON-FRI *)', timezone: 'Asia/Seoul', scalable_target_action: { min_capacity: '0', max_capacity: '0' } },
      },
    });
    const [held] = provisionedConcurrency(readStack('s', stack).resources, 730);
    expect(held?.architecture).toBe('x86_64');
    expect(held?.concurrencyHours).toBeCloseTo((10 * 45 * 730) / 168, 6);
    const line = estimateStack(readStack('s', stack), PRICES, DEFAULT_ASSUMPTIONS).lines.find((l) => l.unit.startsWith('GB-hours of provisioned'));
    expect(line?.monthly).toBe(cents(((10 * 45 * 730) / 168) * 0.5 * 0.000005 * 3600));
  });

  it('no price for the region: a named error, not a zero', () => {
    const stack = stackWith({
      aws_lambda_function: { api: fn },
      aws_lambda_provisioned_concurrency_config: { warm: { function_name: 'app-api', qualifier: 'live', provisioned_concurrent_executions: 1 } },
    });
    const bare = { ...PRICES, regions: { 'test-east-1': { ...PRICES.regions['test-east-1']!, lambdaProvisionedArmGbSecond: undefined } } };
    expect(() => estimateStack(readStack('s', stack), bare, DEFAULT_ASSUMPTIONS)).toThrow('no Lambda provisioned-concurrency price (arm64) in test-east-1');
  });

  it('AWS cron back to five fields', () => {
    expect(fromAwsCron('cron(0 9 ? * MON-FRI *)')).toBe('0 9 * * MON-FRI');
    expect(fromAwsCron('cron(0 0 1 * ? *)')).toBe('0 0 1 * *');
    expect(fromAwsCron('rate(5 minutes)')).toBeUndefined();
  });

  it('staging as shipped: 2 × 0.25 GB through 45 weekday hours a week, at Seoul\'s arm64 price', async () => {
    const { stacks } = await synthApp();
    const table = loadPriceTable();
    const line = estimateStack(readStack('staging', stackNamed(stacks, 'staging')), table).lines.find((l) => l.unit.startsWith('GB-hours of provisioned'));
    const gbHours = (2 * 0.25 * 45 * table.hoursPerMonth) / 168;
    expect(line?.resource).toBe('primary/serverless-api/provisioned-target');
    expect(line?.quantity).toBeCloseTo(gbHours, 6);
    expect(line?.monthly).toBe(cents(gbHours * table.regions['ap-northeast-2']!.lambdaProvisionedArmGbSecond! * 3600));
  });
});

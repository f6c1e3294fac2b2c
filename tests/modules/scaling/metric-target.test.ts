/** Scaling.scaleOnMetricTarget: target tracking on a metric of the application's, or on metric math. */
import { describe, expect, it } from 'vitest';
import { type MetricTargetScalingProps, Scaling } from '../../../modules/scaling';
import { only, synthConstruct } from '../../support/synth';

const policy = (props: MetricTargetScalingProps) =>
  only(
    synthConstruct((scope) => new Scaling(scope, 'scaling', { autoScalingGroupName: 'demo-web', namePrefix: 'demo' }).scaleOnMetricTarget('orders', props)),
    'aws_autoscaling_policy',
  );

describe('Scaling.scaleOnMetricTarget', () => {
  it('tracks one metric with its dimensions and unit', () => {
    expect(
      policy({ targetValue: 40, metric: { namespace: 'Orders', metricName: 'InFlight', statistic: 'Average', dimensions: { AutoScalingGroupName: 'demo-web' }, unit: 'Count' } }),
    ).toMatchObject({
      name: 'demo-orders',
      autoscaling_group_name: 'demo-web',
      policy_type: 'TargetTrackingScaling',
      target_tracking_configuration: {
        target_value: 40,
        disable_scale_in: false,
        customized_metric_specification: {
          namespace: 'Orders',
          metric_name: 'InFlight',
          statistic: 'Average',
          unit: 'Count',
          metric_dimension: [{ name: 'AutoScalingGroupName', value: 'demo-web' }],
        },
      },
    });
  });

  it('tracks metric math, stating returnData on every query', () => {
    const spec = policy({
      targetValue: 100,
      disableScaleIn: true,
      metrics: [
        { id: 'backlog', metric: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', statistic: 'Sum', dimensions: { QueueName: 'jobs' } } },
        { id: 'perInstance', expression: 'backlog / 2', label: 'Backlog per instance', returnData: true },
      ],
    }).target_tracking_configuration as { disable_scale_in: boolean; customized_metric_specification: { metrics: unknown[] } };
    expect(spec.disable_scale_in).toBe(true);
    expect(spec.customized_metric_specification.metrics).toEqual([
      {
        id: 'backlog',
        return_data: false,
        metric_stat: { stat: 'Sum', metric: { namespace: 'AWS/SQS', metric_name: 'ApproximateNumberOfMessagesVisible', dimensions: [{ name: 'QueueName', value: 'jobs' }] } },
      },
      { id: 'perInstance', expression: 'backlog / 2', label: 'Backlog per instance', return_data: true },
    ]);
  });

  it('refuses both or neither of metric and metrics, and math without exactly one returned query', () => {
    const metric = { namespace: 'Orders', metricName: 'InFlight', statistic: 'Average' } as const;
    expect(() => policy({ targetValue: 1 })).toThrow(/exactly one of metric, metrics/);
    expect(() => policy({ targetValue: 1, metric, metrics: [{ id: 'a', metric, returnData: true }] })).toThrow(/exactly one of metric, metrics/);
    expect(() => policy({ targetValue: 1, metrics: [{ id: 'a', metric }] })).toThrow(/exactly one query returns data/);
  });
});

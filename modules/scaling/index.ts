import { AutoscalingPolicy } from '@cdktf/provider-aws/lib/autoscaling-policy';
import { AutoscalingSchedule } from '@cdktf/provider-aws/lib/autoscaling-schedule';
import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';

/** A CloudWatch metric an alarm watches. */
export interface MetricSpec {
  readonly namespace: string;
  readonly metricName: string;
  /** @default 'Average' */
  readonly statistic?: 'Average' | 'Sum' | 'Minimum' | 'Maximum' | 'SampleCount';
  readonly dimensions: Record<string, string>;
}

export type AdjustmentType = 'ChangeInCapacity' | 'PercentChangeInCapacity' | 'ExactCapacity';

export interface CpuUtilizationScalingProps {
  /** Average CPU percent to hold the group at. Seed: 70. */
  readonly targetUtilizationPercent: number;
  /**
   * Only ever add capacity (leave scale-in to other policies).
   * @default false
   */
  readonly disableScaleIn?: boolean;
}

export interface RequestCountScalingProps {
  /** ALB requests per target per minute to hold. Seed: 1000. */
  readonly targetRequestsPerTarget: number;
  /** `app/<name>/<id>` of the load balancer. */
  readonly loadBalancerArnSuffix: string;
  /** `targetgroup/<name>/<id>` of the target group. */
  readonly targetGroupArnSuffix: string;
  /**
   * Resources that attach the target group to the load balancer; AWS rejects
   * the policy until the target group serves a listener.
   */
  readonly dependsOn?: ITerraformDependable[];
}

export type MetricStatistic = 'Average' | 'Minimum' | 'Maximum' | 'Sum' | 'SampleCount';

/** A CloudWatch metric a target-tracking policy holds at its target. */
export interface TargetMetric {
  readonly namespace: string;
  readonly metricName: string;
  readonly statistic: MetricStatistic;
  /** @default none */
  readonly dimensions?: Readonly<Record<string, string>>;
  /** @default none (the metric's own) */
  readonly unit?: string;
}

/** One query of a metric-math target: a metric, or an expression over the others. */
export interface TargetMetricQuery {
  /** Name the expressions refer to, e.g. `backlog`. */
  readonly id: string;
  /** @default none (a metric query) */
  readonly expression?: string;
  /** @default none */
  readonly label?: string;
  /**
   * Whether this query is the value tracked; exactly one is.
   * @default false
   */
  readonly returnData?: boolean;
  /** @default none (an expression query) */
  readonly metric?: TargetMetric;
}

export interface MetricTargetScalingProps {
  /** Value of the metric to hold the group at. */
  readonly targetValue: number;
  /**
   * Only ever add capacity (leave scale-in to other policies).
   * @default false
   */
  readonly disableScaleIn?: boolean;
  /** The metric tracked; give this or `metrics`. */
  readonly metric?: TargetMetric;
  /** Metric math: queries, one of them returning the value tracked; give this or `metric`. */
  readonly metrics?: readonly TargetMetricQuery[];
}

export interface ForecastScalingProps {
  /**
   * `ForecastOnly` publishes forecasts without acting, to evaluate first.
   * @default 'ForecastAndScale'
   */
  readonly mode?: 'ForecastAndScale' | 'ForecastOnly';
  /**
   * Seconds before the forecast need that capacity launches.
   * @default 300
   */
  readonly schedulingBufferTime?: number;
  /** @default 'HonorMaxCapacity' */
  readonly maxCapacityBreachBehavior?: 'HonorMaxCapacity' | 'IncreaseMaxCapacity';
  /** Percent the forecast may exceed max capacity by, with IncreaseMaxCapacity. */
  readonly maxCapacityBuffer?: number;
  /** What the forecast is built on, and the value to hold it at. */
  readonly metric:
    | { readonly kind: 'cpu'; readonly targetUtilizationPercent: number }
    | {
        readonly kind: 'requests';
        readonly targetRequestsPerTarget: number;
        readonly loadBalancerArnSuffix: string;
        readonly targetGroupArnSuffix: string;
      };
  readonly dependsOn?: ITerraformDependable[];
}

export interface AlarmTrigger {
  readonly metric: MetricSpec;
  readonly threshold: number;
  /** Which side of the threshold breaches. */
  readonly comparison: 'above' | 'below';
  /** @default 2 */
  readonly evaluationPeriods?: number;
  /** Seconds per evaluation period. @default 60 */
  readonly period?: number;
}

export interface ScalingStep {
  /** Lower bound of (metric − threshold); undefined is −∞. */
  readonly lower?: number;
  /** Upper bound; undefined is +∞. */
  readonly upper?: number;
  readonly adjustment: number;
}

export interface StepScalingProps extends AlarmTrigger {
  readonly steps: readonly ScalingStep[];
  /** @default 'ChangeInCapacity' */
  readonly adjustmentType?: AdjustmentType;
  /** Seconds a new instance takes to count; defaults to the group's warm-up. */
  readonly estimatedInstanceWarmup?: number;
}

export interface SimpleScalingProps extends AlarmTrigger {
  readonly adjustment: number;
  /** @default 'ChangeInCapacity' */
  readonly adjustmentType?: AdjustmentType;
  /**
   * Seconds to wait after this policy acts.
   * @default 300
   */
  readonly cooldown?: number;
}

export interface ScheduledScalingProps {
  /** Five-field cron, in `timeZone`. */
  readonly recurrence: string;
  /** @default 'Etc/UTC' */
  readonly timeZone?: string;
  readonly minSize?: number;
  readonly maxSize?: number;
  readonly desiredCapacity?: number;
}

export interface ScalingProps {
  /** The group these policies act on. */
  readonly autoScalingGroupName: string;
  /** Prefix for policy, alarm and action names, e.g. `web-app-prod`. */
  readonly namePrefix: string;
}

/**
 * Scaling policies for one Auto Scaling group, one method per strategy.
 * Step and simple policies create the alarms that drive them.
 */
export class Scaling extends Construct {
  private readonly groupName: string;
  private readonly prefix: string;

  constructor(scope: Construct, id: string, props: ScalingProps) {
    super(scope, id);
    this.groupName = props.autoScalingGroupName;
    this.prefix = props.namePrefix;
  }

  /** Target tracking on the group's average CPU. */
  scaleOnCpuUtilization(id: string, props: CpuUtilizationScalingProps): AutoscalingPolicy {
    return new AutoscalingPolicy(this, id, {
      name: this.nameOf(id),
      autoscalingGroupName: this.groupName,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        predefinedMetricSpecification: { predefinedMetricType: 'ASGAverageCPUUtilization' },
        targetValue: props.targetUtilizationPercent,
        disableScaleIn: props.disableScaleIn ?? false,
      },
    });
  }

  /**
   * Target tracking on a CloudWatch metric of the application's (one
   * metric, or metric math whose one returned query is the value held at
   * `targetValue`).
   */
  scaleOnMetricTarget(id: string, props: MetricTargetScalingProps): AutoscalingPolicy {
    if ((props.metric === undefined) === (props.metrics === undefined)) throw new Error(`${this.node.path}/${id}: give exactly one of metric, metrics`);
    if (props.metrics && props.metrics.filter((q) => q.returnData).length !== 1) throw new Error(`${this.node.path}/${id}: exactly one query returns data`);
    const dimensionsOf = (d: Readonly<Record<string, string>> | undefined) => Object.entries(d ?? {}).map(([name, value]) => ({ name, value }));
    const single = props.metric;
    return new AutoscalingPolicy(this, id, {
      name: this.nameOf(id),
      autoscalingGroupName: this.groupName,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        customizedMetricSpecification: single
          ? {
              namespace: single.namespace,
              metricName: single.metricName,
              statistic: single.statistic,
              unit: single.unit,
              metricDimension: dimensionsOf(single.dimensions),
            }
          : {
              metrics: (props.metrics ?? []).map((query) => ({
                id: query.id,
                expression: query.expression,
                label: query.label,
                // Stated for every query: AWS reads an omitted ReturnData as true.
                returnData: query.returnData ?? false,
                metricStat: query.metric
                  ? {
                      stat: query.metric.statistic,
                      unit: query.metric.unit,
                      metric: { namespace: query.metric.namespace, metricName: query.metric.metricName, dimensions: dimensionsOf(query.metric.dimensions) },
                    }
                  : undefined,
              })),
            },
        targetValue: props.targetValue,
        disableScaleIn: props.disableScaleIn ?? false,
      },
    });
  }

  /** Target tracking on ALB requests per target. */
  scaleOnRequestCount(id: string, props: RequestCountScalingProps): AutoscalingPolicy {
    return new AutoscalingPolicy(this, id, {
      name: this.nameOf(id),
      autoscalingGroupName: this.groupName,
      policyType: 'TargetTrackingScaling',
      targetTrackingConfiguration: {
        predefinedMetricSpecification: {
          predefinedMetricType: 'ALBRequestCountPerTarget',
          resourceLabel: requestResourceLabel(props.loadBalancerArnSuffix, props.targetGroupArnSuffix),
        },
        targetValue: props.targetRequestsPerTarget,
      },
      dependsOn: props.dependsOn,
    });
  }

  /** Predictive scaling: capacity launched ahead of the forecast from the last 14 days. */
  scaleOnForecast(id: string, props: ForecastScalingProps): AutoscalingPolicy {
    const metric = props.metric;
    const metricSpecification =
      metric.kind === 'cpu'
        ? {
            targetValue: metric.targetUtilizationPercent,
            predefinedMetricPairSpecification: { predefinedMetricType: 'ASGCPUUtilization' },
          }
        : {
            targetValue: metric.targetRequestsPerTarget,
            predefinedMetricPairSpecification: {
              predefinedMetricType: 'ALBRequestCount',
              resourceLabel: requestResourceLabel(metric.loadBalancerArnSuffix, metric.targetGroupArnSuffix),
            },
          };
    return new AutoscalingPolicy(this, id, {
      name: this.nameOf(id),
      autoscalingGroupName: this.groupName,
      policyType: 'PredictiveScaling',
      predictiveScalingConfiguration: {
        mode: props.mode ?? 'ForecastAndScale',
        schedulingBufferTime: String(props.schedulingBufferTime ?? 300),
        maxCapacityBreachBehavior: props.maxCapacityBreachBehavior ?? 'HonorMaxCapacity',
        maxCapacityBuffer: props.maxCapacityBuffer === undefined ? undefined : String(props.maxCapacityBuffer),
        metricSpecification,
      },
      dependsOn: props.dependsOn,
    });
  }

  /** Step scaling: larger breaches get larger adjustments. */
  scaleOnMetric(id: string, props: StepScalingProps): AutoscalingPolicy {
    const policy = new AutoscalingPolicy(this, id, {
      name: this.nameOf(id),
      autoscalingGroupName: this.groupName,
      policyType: 'StepScaling',
      adjustmentType: props.adjustmentType ?? 'ChangeInCapacity',
      metricAggregationType: aggregationOf(props.metric.statistic),
      estimatedInstanceWarmup: props.estimatedInstanceWarmup,
      stepAdjustment: props.steps.map((step) => ({
        metricIntervalLowerBound: step.lower === undefined ? undefined : String(step.lower),
        metricIntervalUpperBound: step.upper === undefined ? undefined : String(step.upper),
        scalingAdjustment: step.adjustment,
      })),
    });
    this.alarm(id, props, policy);
    return policy;
  }

  /** Simple scaling: one alarm, one adjustment, then a cooldown. */
  scaleOnAlarm(id: string, props: SimpleScalingProps): AutoscalingPolicy {
    const policy = new AutoscalingPolicy(this, id, {
      name: this.nameOf(id),
      autoscalingGroupName: this.groupName,
      policyType: 'SimpleScaling',
      adjustmentType: props.adjustmentType ?? 'ChangeInCapacity',
      scalingAdjustment: props.adjustment,
      cooldown: props.cooldown ?? 300,
    });
    this.alarm(id, props, policy);
    return policy;
  }

  /** A recurring change of min / max / desired, evaluated in `timeZone`. */
  scaleOnSchedule(id: string, props: ScheduledScalingProps): AutoscalingSchedule {
    return new AutoscalingSchedule(this, id, {
      scheduledActionName: this.nameOf(id),
      autoscalingGroupName: this.groupName,
      recurrence: props.recurrence,
      timeZone: props.timeZone ?? 'Etc/UTC',
      minSize: props.minSize,
      maxSize: props.maxSize,
      desiredCapacity: props.desiredCapacity,
    });
  }

  private alarm(id: string, trigger: AlarmTrigger, policy: AutoscalingPolicy): CloudwatchMetricAlarm {
    const above = trigger.comparison === 'above';
    return new CloudwatchMetricAlarm(this, `${id}-alarm`, {
      alarmName: this.nameOf(id),
      alarmDescription: `Drives scaling policy ${this.nameOf(id)}: ${trigger.metric.metricName} ${above ? '>=' : '<='} ${trigger.threshold}`,
      namespace: trigger.metric.namespace,
      metricName: trigger.metric.metricName,
      statistic: trigger.metric.statistic ?? 'Average',
      dimensions: trigger.metric.dimensions,
      period: trigger.period ?? 60,
      evaluationPeriods: trigger.evaluationPeriods ?? 2,
      threshold: trigger.threshold,
      comparisonOperator: above ? 'GreaterThanOrEqualToThreshold' : 'LessThanOrEqualToThreshold',
      // No data (e.g. a group at zero instances) must not trigger scaling.
      treatMissingData: 'notBreaching',
      alarmActions: [policy.arn],
    });
  }

  private nameOf(id: string): string {
    return `${this.prefix}-${id}`;
  }
}

/** Step policies aggregate only by Minimum, Maximum or Average. */
function aggregationOf(statistic: MetricSpec['statistic']): 'Minimum' | 'Maximum' | 'Average' {
  return statistic === 'Minimum' || statistic === 'Maximum' ? statistic : 'Average';
}

/**
 * AWS's label for ALB request metrics: load balancer first, then target group
 * (`app/<lb>/<id>/targetgroup/<tg>/<id>`).
 */
export function requestResourceLabel(loadBalancerArnSuffix: string, targetGroupArnSuffix: string): string {
  return `${loadBalancerArnSuffix}/${targetGroupArnSuffix}`;
}

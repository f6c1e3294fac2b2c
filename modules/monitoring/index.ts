import { CloudwatchDashboard } from '@cdktf/provider-aws/lib/cloudwatch-dashboard';
import { CloudwatchMetricAlarm, type CloudwatchMetricAlarmConfig } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { DataAwsPartition } from '@cdktf/provider-aws/lib/data-aws-partition';
import { Construct } from 'constructs';
import { AlertTopic, type Subscriber, type TopicPublisher } from '../notifications';
import { SPOT_INTERRUPTION_METRIC, SPOT_METRIC_DIMENSION, SPOT_METRICS_NAMESPACE, REBALANCE_RECOMMENDATION_METRIC } from '../resilience/spot-signals';
import { dashboardBody, type MetricLine, type MetricWidgetSpec } from './dashboard';

export { dashboardBody, type MetricLine, type MetricWidgetSpec, type DashboardJson } from './dashboard';

/** The guide's thresholds (its section 10), and a p95 bound of one second. */
export const MONITORING_THRESHOLD_DEFAULTS = {
  cpuHighPercent: 85,
  errorRatePercent: 5,
  p95ResponseSeconds: 1,
  spotInterruptionsPer5Minutes: 3,
} as const satisfies Required<MonitoringThresholds>;

export interface MonitoringThresholds {
  /** ASG average CPU percent over 3 × 60 s. @default 85 (seed) */
  readonly cpuHighPercent?: number;
  /** Target 5xx as a percent of requests over 60 s, 2 periods. @default 5 (seed) */
  readonly errorRatePercent?: number;
  /** p95 target response time, seconds, 3 of 5 minutes. @default 1 */
  readonly p95ResponseSeconds?: number;
  /** Spot interruptions in 5 minutes that page. @default 3 (seed) */
  readonly spotInterruptionsPer5Minutes?: number;
}

/** Thresholds of the database alarms. */
export const DATABASE_ALARM_DEFAULTS = {
  /** Cluster CPU percent, 3 × 60 s: the writer is saturating. */
  cpuHighPercent: 80,
  /** Bytes; below 512 MiB an instance starts swapping and evicting its cache. */
  freeableMemoryLowBytes: 512 * 1024 * 1024,
  /** Milliseconds a reader trails the writer, 5 × 60 s: reads go stale. */
  replicaLagMilliseconds: 1000,
  /** Connections to the cluster, 3 × 60 s: a pool leak or a storm before max_connections refuses. */
  connectionsHigh: 300,
} as const satisfies Required<DatabaseAlarmThresholds>;

export interface DatabaseAlarmThresholds {
  /** @default 80 */
  readonly cpuHighPercent?: number;
  /** @default 536870912 (512 MiB) */
  readonly freeableMemoryLowBytes?: number;
  /** @default 1000 */
  readonly replicaLagMilliseconds?: number;
  /** @default 300 */
  readonly connectionsHigh?: number;
}

/** An Aurora cluster to watch: alarms `<name>-db-…` into the alerts topic, and dashboard widgets. */
export interface MonitoredDatabase {
  readonly clusterIdentifier: string;
  /** @default DATABASE_ALARM_DEFAULTS */
  readonly thresholds?: DatabaseAlarmThresholds;
}

export interface MonitoringProps {
  /** Prefix for names, e.g. `web-app-prod`. */
  readonly name: string;
  /** Region of the fleet (dashboard widgets and the alarms' ARNs name it). */
  readonly region: string;
  /** Account of the alarms: only they may publish to the topics. */
  readonly account: string;
  readonly autoScalingGroupName: string;
  /** `app/<lb>/<id>`. */
  readonly loadBalancerArnSuffix: string;
  /** `targetgroup/<tg>/<id>`. */
  readonly targetGroupArnSuffix: string;
  /**
   * More target groups of the load balancer, by name (`targetgroup/<tg>/<id>`): each gets its own unhealthy-hosts alarm.
   * @default none
   */
  readonly additionalTargetGroups?: Readonly<Record<string, string>>;
  /** Customer-managed key the topics are encrypted with; must let CloudWatch publish. */
  readonly kmsKeyArn: string;
  /** @default none */
  readonly alertSubscribers?: readonly Subscriber[];
  /** @default none */
  readonly criticalSubscribers?: readonly Subscriber[];
  /** @default the seed's thresholds */
  readonly thresholds?: MonitoringThresholds;
  /**
   * An Aurora cluster of the tier: CPU, freeable memory, replica lag and connection alarms, and two widgets.
   * @default none
   */
  readonly database?: MonitoredDatabase;
}

/** CloudWatch, publishing for the alarms named `<prefix>-…` of one account and region. */
export function alarmPublisher(partition: string, region: string, account: string, prefix: string): TopicPublisher {
  return { service: 'cloudwatch.amazonaws.com', account, sourceArn: `arn:${partition}:cloudwatch:${region}:${account}:alarm:${prefix}-*` };
}

/**
 * The seed's alarms for one fleet and its load balancer, the `alerts` and
 * `critical` topics they notify (on alarm and on recovery), and a dashboard.
 */
export class Monitoring extends Construct {
  public readonly alertsTopicArn: string;
  public readonly criticalTopicArn: string;
  /** The 5xx error-rate alarm: what stops chaos experiments. */
  public readonly errorRateAlarmArn: string;
  public readonly alarms: Readonly<Record<'cpuHigh' | 'errorRate' | 'unhealthyHosts' | 'p95Latency' | 'spotInterruptions', CloudwatchMetricAlarm>>;
  public readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const t = { ...MONITORING_THRESHOLD_DEFAULTS, ...props.thresholds };
    const partition = new DataAwsPartition(this, 'partition', {}).partition;
    // Every alarm here is named `<name>-…`; the topics take alarms of this account and region only.
    const publishers = [alarmPublisher(partition, props.region, props.account, props.name)];
    const alerts = new AlertTopic(this, 'alerts', { name: `${props.name}-alerts`, kmsKeyId: props.kmsKeyArn, subscribers: props.alertSubscribers, publishers });
    const critical = new AlertTopic(this, 'critical', {
      name: `${props.name}-critical`,
      kmsKeyId: props.kmsKeyArn,
      subscribers: props.criticalSubscribers,
      publishers,
    });
    this.alertsTopicArn = alerts.topicArn;
    this.criticalTopicArn = critical.topicArn;

    const asg = { AutoScalingGroupName: props.autoScalingGroupName };
    const lb = { LoadBalancer: props.loadBalancerArnSuffix };
    const notify = (topic: string) => ({ alarmActions: [topic], okActions: [topic] });
    const alarm = (alarmId: string, config: Omit<CloudwatchMetricAlarmConfig, 'alarmName'>) =>
      new CloudwatchMetricAlarm(this, alarmId, { alarmName: `${props.name}-${alarmId}`, ...config });
    // Any unhealthy target for two minutes, in one target group of the load balancer.
    const unhealthyHosts = (alarmId: string, targetGroupArnSuffix: string, alarmDescription: string) =>
      alarm(alarmId, {
        alarmDescription,
        namespace: 'AWS/ApplicationELB',
        metricName: 'UnHealthyHostCount',
        dimensions: { TargetGroup: targetGroupArnSuffix, ...lb },
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 2,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        ...notify(alerts.topicArn),
      });

    this.alarms = {
      cpuHigh: alarm('cpu-high', {
        alarmDescription: `Fleet CPU above ${t.cpuHighPercent}% for 3 minutes: scaling is not keeping up`,
        namespace: 'AWS/EC2',
        metricName: 'CPUUtilization',
        dimensions: asg,
        statistic: 'Average',
        period: 60,
        evaluationPeriods: 3,
        threshold: t.cpuHighPercent,
        comparisonOperator: 'GreaterThanThreshold',
        // A group scaled to zero (dev at night) reports nothing: not a breach.
        treatMissingData: 'notBreaching',
        ...notify(alerts.topicArn),
      }),
      errorRate: alarm('5xx-rate', {
        alarmDescription: `Target 5xx above ${t.errorRatePercent}% of requests: users are seeing errors`,
        evaluationPeriods: 2,
        threshold: t.errorRatePercent,
        comparisonOperator: 'GreaterThanThreshold',
        // No requests, no error rate; a minute without 5xx has no HTTPCode_Target_5XX_Count at all, hence FILL.
        treatMissingData: 'notBreaching',
        metricQuery: [
          { id: 'error_rate', expression: '100 * FILL(errors, 0) / requests', label: '5xx error rate (%)', returnData: true },
          {
            id: 'errors',
            metric: { namespace: 'AWS/ApplicationELB', metricName: 'HTTPCode_Target_5XX_Count', dimensions: lb, period: 60, stat: 'Sum' },
          },
          { id: 'requests', metric: { namespace: 'AWS/ApplicationELB', metricName: 'RequestCount', dimensions: lb, period: 60, stat: 'Sum' } },
        ],
        ...notify(critical.topicArn),
      }),
      unhealthyHosts: unhealthyHosts('unhealthy-hosts', props.targetGroupArnSuffix, 'Targets failing the /health check for 2 minutes'),
      p95Latency: alarm('p95-latency', {
        alarmDescription: `p95 target response time above ${t.p95ResponseSeconds} s in 3 of 5 minutes`,
        namespace: 'AWS/ApplicationELB',
        metricName: 'TargetResponseTime',
        dimensions: lb,
        extendedStatistic: 'p95',
        period: 60,
        evaluationPeriods: 5,
        datapointsToAlarm: 3,
        threshold: t.p95ResponseSeconds,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        // Too few requests make a meaningless p95.
        evaluateLowSampleCountPercentiles: 'ignore',
        ...notify(alerts.topicArn),
      }),
      spotInterruptions: alarm('spot-interruptions', {
        alarmDescription: `${t.spotInterruptionsPer5Minutes} or more Spot interruptions in 5 minutes: the Spot pools are drying up`,
        namespace: SPOT_METRICS_NAMESPACE,
        metricName: SPOT_INTERRUPTION_METRIC,
        dimensions: asg,
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: t.spotInterruptionsPer5Minutes,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        // The handler publishes only when an interruption happens.
        treatMissingData: 'notBreaching',
        ...notify(critical.topicArn),
      }),
    };
    this.errorRateAlarmArn = this.alarms.errorRate.arn;
    // A listener rule's target group fails on its own port and path: the default group's alarm would not see it.
    for (const [group, arnSuffix] of Object.entries(props.additionalTargetGroups ?? {})) {
      unhealthyHosts(`unhealthy-hosts-${group}`, arnSuffix, `Targets of the ${group} target group failing their health check for 2 minutes`);
    }

    const databaseWidgets = props.database ? this.watchDatabase(props.database, alarm, notify(alerts.topicArn)) : [];

    const alb = (metricName: string, stat: MetricLine['stat'], label: string, dims: Record<string, string> = lb): MetricLine => ({
      namespace: 'AWS/ApplicationELB',
      metricName,
      dimensions: dims,
      stat,
      label,
    });
    const group = (namespace: string, metricName: string, label: string, right = false): MetricLine => ({
      namespace,
      metricName,
      dimensions: asg,
      label,
      right,
    });
    const dashboard = new CloudwatchDashboard(this, 'dashboard', {
      dashboardName: `${props.name}-web-tier`,
      dashboardBody: JSON.stringify(
        dashboardBody(props.region, [
          {
            title: 'Fleet CPU and network',
            lines: [
              group('AWS/EC2', 'CPUUtilization', 'CPU %'),
              group('AWS/EC2', 'NetworkIn', 'network in (bytes)', true),
              group('AWS/EC2', 'NetworkOut', 'network out (bytes)', true),
            ],
            annotations: [{ label: 'cpu-high', value: t.cpuHighPercent }],
          },
          {
            title: 'Fleet capacity',
            lines: [
              group('AWS/AutoScaling', 'GroupDesiredCapacity', 'desired'),
              group('AWS/AutoScaling', 'GroupInServiceInstances', 'in service'),
              group('AWS/AutoScaling', 'GroupTotalInstances', 'total'),
            ],
          },
          {
            title: 'Requests and 5xx',
            stat: 'Sum',
            lines: [
              alb('RequestCount', 'Sum', 'requests'),
              alb('HTTPCode_Target_5XX_Count', 'Sum', 'target 5xx', lb),
              alb('HTTPCode_ELB_5XX_Count', 'Sum', 'load balancer 5xx', lb),
            ],
          },
          {
            title: 'Target response time',
            lines: [alb('TargetResponseTime', 'p50', 'p50'), alb('TargetResponseTime', 'p95', 'p95'), alb('TargetResponseTime', 'p99', 'p99')],
            annotations: [{ label: 'p95 bound', value: t.p95ResponseSeconds }],
          },
          {
            title: 'Spot interruptions and rebalance recommendations',
            stat: 'Sum',
            period: 300,
            width: 24,
            lines: [
              { namespace: SPOT_METRICS_NAMESPACE, metricName: SPOT_INTERRUPTION_METRIC, dimensions: { [SPOT_METRIC_DIMENSION]: props.autoScalingGroupName }, label: 'interruptions' },
              {
                namespace: SPOT_METRICS_NAMESPACE,
                metricName: REBALANCE_RECOMMENDATION_METRIC,
                dimensions: { [SPOT_METRIC_DIMENSION]: props.autoScalingGroupName },
                label: 'rebalance recommendations',
              },
            ],
            annotations: [{ label: 'spot-interruptions', value: t.spotInterruptionsPer5Minutes }],
          },
          ...databaseWidgets,
        ]),
      ),
    });
    this.dashboardName = dashboard.dashboardName;
  }

  /** The database's alarms (into the alerts topic, named `<name>-db-…` so the topic takes them) and its widgets. */
  private watchDatabase(
    database: MonitoredDatabase,
    alarm: (alarmId: string, config: Omit<CloudwatchMetricAlarmConfig, 'alarmName'>) => CloudwatchMetricAlarm,
    notify: Pick<CloudwatchMetricAlarmConfig, 'alarmActions' | 'okActions'>,
  ): MetricWidgetSpec[] {
    const t = { ...DATABASE_ALARM_DEFAULTS, ...database.thresholds };
    const cluster = { DBClusterIdentifier: database.clusterIdentifier };
    const rds = (metricName: string, statistic: 'Average' | 'Minimum' | 'Maximum', threshold: number, above: boolean, evaluationPeriods: number, alarmDescription: string) => ({
      alarmDescription,
      namespace: 'AWS/RDS',
      metricName,
      dimensions: cluster,
      statistic,
      period: 60,
      evaluationPeriods,
      threshold,
      comparisonOperator: above ? 'GreaterThanThreshold' : 'LessThanThreshold',
      treatMissingData: 'missing',
      ...notify,
    });
    alarm('db-cpu-high', rds('CPUUtilization', 'Maximum', t.cpuHighPercent, true, 3, `Database CPU above ${t.cpuHighPercent}% for 3 minutes: queries are queueing`));
    alarm('db-freeable-memory-low', rds('FreeableMemory', 'Minimum', t.freeableMemoryLowBytes, false, 3, `An instance has under ${t.freeableMemoryLowBytes / 1024 / 1024} MiB free for 3 minutes: it will swap and lose its cache`));
    alarm('db-replica-lag', {
      ...rds('AuroraReplicaLag', 'Maximum', t.replicaLagMilliseconds, true, 5, `A reader trails the writer by over ${t.replicaLagMilliseconds} ms for 5 minutes: reads are stale, and a failover to it loses time`),
      // The metric exists only while readers do.
      treatMissingData: 'notBreaching',
    });
    alarm('db-connections-high', rds('DatabaseConnections', 'Maximum', t.connectionsHigh, true, 3, `Over ${t.connectionsHigh} database connections for 3 minutes: a pool is leaking, or max_connections is near`));
    const line = (metricName: string, label: string, right = false): MetricLine => ({ namespace: 'AWS/RDS', metricName, dimensions: cluster, label, right });
    return [
      {
        title: 'Database CPU and connections',
        lines: [line('CPUUtilization', 'CPU %'), line('DatabaseConnections', 'connections', true)],
        annotations: [{ label: 'db-cpu-high', value: t.cpuHighPercent }],
      },
      {
        title: 'Database memory and replica lag',
        lines: [{ ...line('FreeableMemory', 'freeable memory (bytes)'), stat: 'Minimum' }, { ...line('AuroraReplicaLag', 'replica lag (ms)', true), stat: 'Maximum' }],
      },
    ];
  }
}

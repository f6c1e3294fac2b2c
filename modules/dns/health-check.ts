import { CloudwatchMetricAlarm } from '@cdktf/provider-aws/lib/cloudwatch-metric-alarm';
import { Route53HealthCheck } from '@cdktf/provider-aws/lib/route53-health-check';
import type { TerraformProvider } from 'cdktf';
import { Construct } from 'constructs';

/** The check's defaults: the guide's fast HTTPS check on /health from three regions. The environment schema uses these. */
export const HEALTH_CHECK_DEFAULTS = {
  resourcePath: '/health',
  failureThreshold: 3,
  requestInterval: 10,
  regions: ['us-east-1', 'eu-west-1', 'ap-southeast-1'],
} as const;

export interface EndpointHealthCheckProps {
  /** Name for tags and the alarm, e.g. `web-app-prod-primary`. */
  readonly name: string;
  /** Host checked, e.g. the load balancer's DNS name. */
  readonly fqdn: string;
  /** @default '/health' */
  readonly resourcePath?: string;
  /** @default 443 */
  readonly port?: number;
  /** Consecutive failures before unhealthy. @default 3 */
  readonly failureThreshold?: number;
  /** Seconds between checks: 10 or 30. @default 10 */
  readonly requestInterval?: number;
  /**
   * Checker regions (Route 53 needs at least 3).
   * @default ['us-east-1', 'eu-west-1', 'ap-southeast-1']
   */
  readonly regions?: readonly string[];
  /**
   * A us-east-1 provider: Route 53 publishes HealthCheckStatus only there,
   * so the alarm must live there.
   */
  readonly alarmProvider: TerraformProvider;
  /** Topic (in us-east-1) the alarm notifies on failure and recovery. */
  readonly alarmTopicArn: string;
}

/** An HTTPS health check with latency measurement, and the alarm that pages on it. */
export class EndpointHealthCheck extends Construct {
  public readonly healthCheckId: string;
  public readonly alarmArn: string;

  constructor(scope: Construct, id: string, props: EndpointHealthCheckProps) {
    super(scope, id);
    const check = new Route53HealthCheck(this, 'check', {
      type: 'HTTPS',
      fqdn: props.fqdn,
      port: props.port ?? 443,
      resourcePath: props.resourcePath ?? HEALTH_CHECK_DEFAULTS.resourcePath,
      failureThreshold: props.failureThreshold ?? HEALTH_CHECK_DEFAULTS.failureThreshold,
      requestInterval: props.requestInterval ?? HEALTH_CHECK_DEFAULTS.requestInterval,
      regions: [...(props.regions ?? HEALTH_CHECK_DEFAULTS.regions)],
      enableSni: true,
      measureLatency: true,
      tags: { Name: `${props.name}-health` },
    });
    this.healthCheckId = check.id;

    const alarm = new CloudwatchMetricAlarm(this, 'alarm', {
      provider: props.alarmProvider,
      alarmName: `${props.name}-health-check`,
      alarmDescription: `Route 53 health check on ${props.name} is failing`,
      namespace: 'AWS/Route53',
      metricName: 'HealthCheckStatus',
      dimensions: { HealthCheckId: check.id },
      statistic: 'Minimum',
      period: 60,
      evaluationPeriods: 1,
      threshold: 1,
      comparisonOperator: 'LessThanThreshold',
      // No data means the checkers stopped reporting: treat as down, not fine.
      treatMissingData: 'breaching',
      alarmActions: [props.alarmTopicArn],
      okActions: [props.alarmTopicArn],
    });
    this.alarmArn = alarm.arn;
  }
}

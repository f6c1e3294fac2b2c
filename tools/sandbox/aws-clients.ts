/**
 * AWS SDK v3 clients pointed at the local emulator: its TLS certificate is
 * self-signed, its credentials are fixed test values, S3 is path-style.
 * Clients are per region and created on first use.
 */
import { Agent } from 'node:https';
import { ACMClient } from '@aws-sdk/client-acm';
import { ApplicationAutoScalingClient } from '@aws-sdk/client-application-auto-scaling';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { IAMClient } from '@aws-sdk/client-iam';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { RDSClient } from '@aws-sdk/client-rds';
import { Route53Client } from '@aws-sdk/client-route-53';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { EMULATOR_CREDENTIALS } from './target';

// The pinned SDK supports Node 20; its notice about releases after January 2027 is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  requestHandler: NodeHttpHandler;
  maxAttempts: number;
}

const CLIENTS = {
  acm: ACMClient,
  applicationautoscaling: ApplicationAutoScalingClient,
  autoscaling: AutoScalingClient,
  cloudwatch: CloudWatchClient,
  logs: CloudWatchLogsClient,
  dynamodb: DynamoDBClient,
  ec2: EC2Client,
  ecs: ECSClient,
  events: EventBridgeClient,
  elbv2: ElasticLoadBalancingV2Client,
  iam: IAMClient,
  kms: KMSClient,
  lambda: LambdaClient,
  rds: RDSClient,
  route53: Route53Client,
  s3: S3Client,
  secretsmanager: SecretsManagerClient,
  sfn: SFNClient,
  sns: SNSClient,
  sqs: SQSClient,
} as const;

type ClientName = keyof typeof CLIENTS;
type ClientOf<K extends ClientName> = InstanceType<(typeof CLIENTS)[K]>;

/** Every client the inventory needs, for one emulator. */
export class EmulatorClients {
  private readonly cache = new Map<string, unknown>();
  private readonly handler: NodeHttpHandler;

  constructor(private readonly endpoint: string) {
    this.handler = new NodeHttpHandler({ httpsAgent: new Agent({ rejectUnauthorized: false, keepAlive: true }) });
  }

  /** The `name` client for `region` (global services take any region). */
  get<K extends ClientName>(name: K, region: string): ClientOf<K> {
    const key = `${name}@${region}`;
    let client = this.cache.get(key) as ClientOf<K> | undefined;
    if (!client) {
      const config: ClientConfig & { forcePathStyle?: boolean } = {
        endpoint: this.endpoint,
        region,
        credentials: { accessKeyId: EMULATOR_CREDENTIALS.accessKey, secretAccessKey: EMULATOR_CREDENTIALS.secretKey },
        requestHandler: this.handler,
        maxAttempts: 2,
        ...(name === 's3' ? { forcePathStyle: true } : {}),
      };
      const Client = CLIENTS[name] as unknown as new (c: typeof config) => ClientOf<K>;
      client = new Client(config);
      this.cache.set(key, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.cache.values()) (client as { destroy(): void }).destroy();
    this.cache.clear();
    this.handler.destroy();
  }
}

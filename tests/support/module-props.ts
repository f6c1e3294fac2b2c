/** The smallest props each module construct takes, shared by the tests that synthesize one on its own. */
import type { WebFleetProps } from '../../modules/compute';
import type { LoadBalancerProps } from '../../modules/load-balancer';

export const FLEET_PROPS: WebFleetProps = {
  name: 'demo-test',
  account: '111122223333',
  region: 'eu-west-1',
  parameterPath: '/demo/test',
  vpcId: 'vpc-1',
  subnetIds: ['subnet-a', 'subnet-b'],
  instanceTypes: [{ type: 't3.medium', weight: 1 }],
  minSize: 1,
  maxSize: 4,
  appPort: 8080,
  loadBalancerSecurityGroupId: 'sg-alb',
  targetGroupArns: ['arn:tg'],
};

export const LOAD_BALANCER_PROPS: LoadBalancerProps = {
  name: 'demo-test',
  vpcId: 'vpc-1',
  subnetIds: ['subnet-a', 'subnet-b'],
  certificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/abc',
  targetPort: 8080,
};

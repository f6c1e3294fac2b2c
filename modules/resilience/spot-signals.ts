/**
 * The EventBridge events the Spot interruption handler receives and the
 * custom metrics it publishes, which the alarms and dashboard read. Shared
 * by the Lambda bundle and the stacks, so nothing here imports cdktf or the
 * AWS SDK.
 */
export const INTERRUPTION_WARNING = 'EC2 Spot Instance Interruption Warning';
export const REBALANCE_RECOMMENDATION = 'EC2 Instance Rebalance Recommendation';

export const SPOT_METRICS_NAMESPACE = 'Custom/SpotMetrics';
/** One per interruption warning for an instance of the group. */
export const SPOT_INTERRUPTION_METRIC = 'SpotInterruptionCount';
/** One per rebalance recommendation for an instance of the group. */
export const REBALANCE_RECOMMENDATION_METRIC = 'RebalanceRecommendationCount';
/** Both metrics carry the group's name, so each fleet alarms on its own. */
export const SPOT_METRIC_DIMENSION = 'AutoScalingGroupName';

export {
  applySecurityPack,
  assertCompliant,
  type ComplianceReport,
  evaluate,
  type Finding,
  type SecurityPackOptions,
  SecurityViolationError,
  summarize,
  waive,
} from './pack';
export { RULES, type SecurityRule } from './rules';
export { references, type ResourceView, type StackView, viewOf } from './resources';
export { accountOf, ServerAccessLogBucket, type ServerAccessLogBucketProps } from './server-access-logs';

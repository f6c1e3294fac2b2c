export { awsCronProblem, toAwsCron } from './aws-cron';
export {
  API_HANDLER_ENTRY,
  LIVE_ALIAS,
  type ProvisionedSchedule,
  SERVERLESS_API_DEFAULTS,
  ServerlessApi,
  type ServerlessApiCode,
  type ServerlessApiProps,
  serverlessApiFunctionName,
  serverlessApiLogGroupName,
} from './serverless-api';

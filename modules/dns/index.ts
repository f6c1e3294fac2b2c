export { ValidatedCertificate, type ValidatedCertificateProps } from './certificate';
export { EndpointHealthCheck, type EndpointHealthCheckProps, HEALTH_CHECK_DEFAULTS } from './health-check';
export { MaintenanceSite, type MaintenanceSiteProps } from './maintenance-site';
export { AliasRecord, type AliasRecordProps, type AliasTarget, FailoverRecords, type FailoverRecordsProps } from './records';
export { HostedZone, type HostedZoneProps } from './zone';

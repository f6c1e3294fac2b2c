import { AcmCertificate } from '@cdktf/provider-aws/lib/acm-certificate';
import { AcmCertificateValidation } from '@cdktf/provider-aws/lib/acm-certificate-validation';
import { Route53Record } from '@cdktf/provider-aws/lib/route53-record';
import { Fn, Token } from 'cdktf';
import { Construct } from 'constructs';

export interface ValidatedCertificateProps {
  /** The name the certificate covers, e.g. `app.example.com`. */
  readonly domainName: string;
  /** Hosted zone the validation record goes in. */
  readonly zoneId: string;
}

/**
 * An ACM certificate proven by a DNS record in the zone. The certificate is
 * regional: create one in each region (and us-east-1 for CloudFront) that serves it.
 */
export class ValidatedCertificate extends Construct {
  /** ARN of the certificate once validated: listeners that use it wait for validation. */
  public readonly certificateArn: string;

  constructor(scope: Construct, id: string, props: ValidatedCertificateProps) {
    super(scope, id);
    const certificate = new AcmCertificate(this, 'certificate', {
      domainName: props.domainName,
      validationMethod: 'DNS',
      keyAlgorithm: 'RSA_2048',
      tags: { Name: props.domainName },
      lifecycle: { createBeforeDestroy: true },
    });
    // One name, so one validation option; the set has to go through a list to be indexed.
    const option = Fn.element(Fn.tolist(certificate.domainValidationOptions), 0);
    const record = new Route53Record(this, 'validation', {
      zoneId: props.zoneId,
      name: Token.asString(Fn.lookup(option, 'resource_record_name')),
      type: Token.asString(Fn.lookup(option, 'resource_record_type')),
      records: [Token.asString(Fn.lookup(option, 'resource_record_value'))],
      ttl: 60,
      // ACM asks for the same record in every region; each regional certificate may write it.
      allowOverwrite: true,
    });
    const validation = new AcmCertificateValidation(this, 'validated', {
      certificateArn: certificate.arn,
      validationRecordFqdns: [record.fqdn],
    });
    this.certificateArn = validation.certificateArn;
  }
}

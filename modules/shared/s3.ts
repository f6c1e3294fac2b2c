import { S3BucketOwnershipControls } from '@cdktf/provider-aws/lib/s3-bucket-ownership-controls';
import { S3BucketPublicAccessBlock } from '@cdktf/provider-aws/lib/s3-bucket-public-access-block';
import { S3BucketServerSideEncryptionConfigurationA as S3BucketServerSideEncryptionConfiguration } from '@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration';
import { Construct } from 'constructs';

export type BucketEncryption = { readonly kind: 'sse-s3' } | { readonly kind: 'sse-kms'; readonly keyArn: string };

/**
 * The controls every bucket here gets: ACLs disabled (owner enforced), all
 * four public-access blocks, and default encryption.
 */
export function lockDownBucket(scope: Construct, bucketId: string, encryption: BucketEncryption): void {
  new S3BucketOwnershipControls(scope, 'ownership', {
    bucket: bucketId,
    rule: { objectOwnership: 'BucketOwnerEnforced' },
  });
  new S3BucketPublicAccessBlock(scope, 'public-access', {
    bucket: bucketId,
    blockPublicAcls: true,
    blockPublicPolicy: true,
    ignorePublicAcls: true,
    restrictPublicBuckets: true,
  });
  new S3BucketServerSideEncryptionConfiguration(scope, 'encryption', {
    bucket: bucketId,
    rule: [
      encryption.kind === 'sse-kms'
        ? {
            applyServerSideEncryptionByDefault: { sseAlgorithm: 'aws:kms', kmsMasterKeyId: encryption.keyArn },
            // Bucket keys cut KMS request costs for many small writes.
            bucketKeyEnabled: true,
          }
        : { applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } },
    ],
  });
}

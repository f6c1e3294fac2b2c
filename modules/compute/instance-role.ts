/** What the application on the instances may do beyond the fleet's own needs: managed policies, statements, a boundary. */
import { DataAwsIamPolicyDocument } from '@cdktf/provider-aws/lib/data-aws-iam-policy-document';
import type { IamRole } from '@cdktf/provider-aws/lib/iam-role';
import { IamRolePolicy } from '@cdktf/provider-aws/lib/iam-role-policy';
import { IamRolePolicyAttachment } from '@cdktf/provider-aws/lib/iam-role-policy-attachment';
import { Construct } from 'constructs';
import { policyDocumentStatements } from '../shared/iam';

/** One IAM condition of a statement, as `aws_iam_policy_document` takes it. */
export interface PolicyCondition {
  /** Condition operator, e.g. `StringEquals`, `ArnLike`. */
  readonly test: string;
  /** Context key, e.g. `kms:ViaService`. */
  readonly variable: string;
  readonly values: readonly string[];
}

/** One statement of the application's own inline policy. */
export interface InstancePolicyStatement {
  /** @default none */
  readonly sid?: string;
  /** @default 'Allow' */
  readonly effect?: 'Allow' | 'Deny';
  /** `service:Action`, e.g. `s3:GetObject`. */
  readonly actions: readonly string[];
  /** Resource ARNs the actions apply to. */
  readonly resources: readonly string[];
  /** @default none */
  readonly conditions?: readonly PolicyCondition[];
}

export interface InstancePermissionsProps {
  /** The instance role. */
  readonly role: IamRole;
  /** @default [] */
  readonly managedPolicyArns?: readonly string[];
  /** @default [] */
  readonly statements?: readonly InstancePolicyStatement[];
}

/**
 * AWS-managed policies that grant administration (every action, or IAM
 * itself, which is every action one step removed); never on an instance.
 */
export const ADMIN_MANAGED_POLICIES = ['AdministratorAccess', 'PowerUserAccess', 'IAMFullAccess'] as const;

/** Name of the inline policy holding the application's own statements. */
export const APP_POLICY_NAME = 'application';

/**
 * The application's permissions on the instance role: each managed policy
 * attached, and the statements in one inline policy of their own (the
 * fleet's own policy stays as it is, so a statement here never changes it).
 */
export class InstancePermissions extends Construct {
  constructor(scope: Construct, id: string, props: InstancePermissionsProps) {
    super(scope, id);
    for (const arn of props.managedPolicyArns ?? []) {
      // Keyed by the ARN, not the position: reordering the list replaces nothing.
      new IamRolePolicyAttachment(this, `managed-${attachmentId(arn)}`, { role: props.role.name, policyArn: arn });
    }
    const statements = props.statements ?? [];
    if (statements.length === 0) return;
    const document = new DataAwsIamPolicyDocument(this, 'document', {
      statement: policyDocumentStatements(statements),
    });
    new IamRolePolicy(this, 'policy', { name: APP_POLICY_NAME, role: props.role.name, policy: document.json });
  }
}

/** `arn:aws:iam::aws:policy/service-role/X` → `aws-service-role-X`, safe as a construct id. */
function attachmentId(arn: string): string {
  const [, , , , owner = '', resource = ''] = arn.split(':');
  return `${owner}-${resource.replace(/^policy\//, '')}`.replace(/[^A-Za-z0-9-]/g, '-');
}

/**
 * A state machine definition as AWS will receive it: the `definition`
 * string of an `aws_sfn_state_machine` in a synthesized stack, with
 * Terraform's template syntax resolved the way Terraform resolves it —
 * `$${` and `%%{` are literal `${` and `%{`, every `${reference}` becomes a
 * deterministic fake value of the right shape (an ID, an ARN, a name) — and
 * then parsed. Anything else Terraform would evaluate (a function call, a
 * `%{` directive, an unknown name such as a shell variable that escaped
 * unescaped) is refused: it would change or break the text AWS receives.
 */
import { createHash } from 'node:crypto';
import type { TfJson } from '../synth';
import type { Json } from './json';

export const FAKE_ACCOUNT = '123456789012';

export interface ResolvedDefinition {
  /** The parsed definition, ready for `execute`. */
  readonly definition: Json;
  /** Each reference found, with the fake value put in its place. */
  readonly references: ReadonlyMap<string, string>;
}

/** The definition of the state machine whose `name` matches (or the only one in the stack). */
export function stateMachineDefinition(stack: TfJson, region: string, name?: string): ResolvedDefinition {
  const machines = Object.entries(stack.resource?.aws_sfn_state_machine ?? {});
  const picked = name === undefined ? machines : machines.filter(([, block]) => block.name === name);
  if (picked.length !== 1) throw new Error(`expected one aws_sfn_state_machine${name ? ` named ${name}` : ''}, found ${picked.map(([id]) => id).join(', ') || 'none'}`);
  const definition = picked[0]![1].definition;
  if (typeof definition !== 'string') throw new Error(`aws_sfn_state_machine.${picked[0]![0]}.definition is not a string`);
  return resolveTerraformTemplate(definition, region);
}

/** JSON `text` as Terraform would render it, with fake values for references, parsed. */
export function resolveTerraformTemplate(text: string, region: string): ResolvedDefinition {
  const { text: rendered, references } = renderTerraformString(text, region);
  return { definition: JSON.parse(rendered) as Json, references };
}

/** A string as Terraform would render it, with fake values for references. */
export function renderTerraformString(text: string, region: string): { text: string; references: ReadonlyMap<string, string> } {
  const references = new Map<string, string>();
  let out = '';
  for (let i = 0; i < text.length; ) {
    if (text.startsWith('$${', i) || text.startsWith('%%{', i)) {
      out += `${text[i]}{`;
      i += 3;
    } else if (text.startsWith('${', i)) {
      const close = text.indexOf('}', i);
      if (close < 0) throw new Error(`unterminated \${ at ${i}: ${text.slice(i, i + 40)}`);
      const expression = text.slice(i + 2, close).trim();
      const value = fakeValue(expression, region);
      references.set(expression, value);
      out += value;
      i = close + 1;
    } else if (text.startsWith('%{', i)) {
      throw new Error(`Terraform would read a template directive at ${i}: ${text.slice(i, i + 40)}`);
    } else {
      out += text[i];
      i += 1;
    }
  }
  return { text: out, references };
}

const REFERENCE = /^(data\.)?(aws_[a-z0-9_]+)\.([A-Za-z0-9_-]+)(?:\[\d+\])?\.([a-z0-9_]+)$/;

/** Short, stable hex from any text. */
export function hex(text: string, length = 17): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

const ID_PREFIX: Record<string, string> = {
  aws_launch_template: 'lt-',
  aws_subnet: 'subnet-',
  aws_security_group: 'sg-',
  aws_vpc: 'vpc-',
  aws_instance: 'i-',
  aws_ami: 'ami-',
  aws_ssm_parameter: '',
};

/** The service an ARN of `type` names (aws_iam_role → iam). */
function service(type: string): string {
  const known: Record<string, string> = { aws_sqs_queue: 'sqs', aws_sns_topic: 'sns', aws_cloudwatch_log_group: 'logs', aws_kms_key: 'kms', aws_lambda_function: 'lambda', aws_sfn_state_machine: 'states', aws_cloudwatch_event_rule: 'events' };
  return known[type] ?? type.split('_')[1] ?? 'unknown';
}

function fakeValue(expression: string, region: string): string {
  const match = REFERENCE.exec(expression);
  if (!match) throw new Error(`Terraform would evaluate \${${expression}}, which is not a plain resource or data source reference (an unescaped shell variable?)`);
  const [, data, type, name, attribute] = match as unknown as [string, string | undefined, string, string, string];
  const tag = hex(expression, 8);
  if (data) {
    if (type === 'aws_caller_identity' && attribute === 'account_id') return FAKE_ACCOUNT;
    if (type === 'aws_region' && (attribute === 'name' || attribute === 'region' || attribute === 'id')) return region;
    if (type === 'aws_partition' && attribute === 'partition') return 'aws';
    if (type === 'aws_partition' && attribute === 'dns_suffix') return 'amazonaws.com';
  }
  switch (attribute) {
    case 'arn':
      if (type === 'aws_s3_bucket') return `arn:aws:s3:::fake-${name}-${tag}`;
      if (type === 'aws_iam_role' || type === 'aws_iam_instance_profile') return `arn:aws:iam::${FAKE_ACCOUNT}:${type === 'aws_iam_role' ? 'role' : 'instance-profile'}/fake-${name}-${tag}`;
      return `arn:aws:${service(type)}:${region}:${FAKE_ACCOUNT}:${type.replace(/^aws_/, '')}/fake-${name}-${tag}`;
    case 'id':
      if (type === 'aws_s3_bucket') return `fake-${name}-${tag}`;
      return `${ID_PREFIX[type] ?? `${type.replace(/^aws_/, '')}-`}${hex(expression)}`;
    case 'bucket':
    case 'name':
      return `fake-${name}-${tag}`;
    case 'latest_version':
    case 'default_version':
      return '1';
    case 'url':
      return `https://sqs.${region}.amazonaws.com/${FAKE_ACCOUNT}/fake-${name}-${tag}`;
    default:
      throw new Error(`no fake value for \${${expression}} (attribute ${attribute}): add one to tests/support/step-functions/from-terraform.ts`);
  }
}

/**
 * Reading a definition the way Terraform renders it: escapes become
 * literals, references become fakes of the right shape, and whatever else
 * Terraform would evaluate is refused rather than silently passed on.
 */
import { describe, expect, it } from 'vitest';
import { renderTerraformString, resolveTerraformTemplate, stateMachineDefinition } from './from-terraform';

describe('rendering Terraform strings', () => {
  it('turns $${ and %%{ into the literal ${ and %{ AWS receives', () => {
    expect(renderTerraformString('echo "$${HOME}" 100%%{x}', 'eu-west-1').text).toBe('echo "${HOME}" 100%{x}');
  });

  it('replaces references with stable fakes of the right shape', () => {
    const text = '${aws_launch_template.lt_1.id} ${aws_launch_template.lt_1.latest_version} ${aws_subnet.a.id} ${aws_iam_role.r.arn} ${data.aws_caller_identity.me.account_id} ${data.aws_partition.p.partition} ${aws_sqs_queue.q.arn}';
    const first = renderTerraformString(text, 'eu-west-1');
    expect(first.text).toMatch(/^lt-[0-9a-f]{17} 1 subnet-[0-9a-f]{17} arn:aws:iam::123456789012:role\/fake-r-[0-9a-f]{8} 123456789012 aws arn:aws:sqs:eu-west-1:123456789012:/);
    expect(renderTerraformString(text, 'eu-west-1').text).toBe(first.text);
    expect(first.references.size).toBe(7);
    expect(renderTerraformString('${aws_subnet.b.id}', 'eu-west-1').text).not.toBe(renderTerraformString('${aws_subnet.a.id}', 'eu-west-1').text);
  });

  it('refuses an unescaped shell variable, a function call and a directive: Terraform would evaluate them', () => {
    expect(() => renderTerraformString('echo ${BATCH_KEY}', 'eu-west-1')).toThrow(/not a plain resource or data source reference/);
    expect(() => renderTerraformString('${jsonencode(local.x)}', 'eu-west-1')).toThrow(/not a plain resource/);
    expect(() => renderTerraformString('%{ if true }x%{ endif }', 'eu-west-1')).toThrow(/template directive/);
  });

  it('parses the rendered definition and finds the one state machine of a stack', () => {
    const definition = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Result: '$${x} ${aws_subnet.a.id}', End: true } } });
    const stack = { terraform: {}, resource: { aws_sfn_state_machine: { m: { name: 'n', definition } } } };
    const resolved = stateMachineDefinition(stack, 'eu-west-1');
    expect(resolved.definition).toMatchObject({ States: { A: { Result: expect.stringMatching(/^\$\{x\} subnet-/) } } });
    expect(resolveTerraformTemplate(definition, 'eu-west-1').definition).toEqual(resolved.definition);
    expect(() => stateMachineDefinition({ terraform: {} }, 'eu-west-1')).toThrow(/found none/);
  });
});

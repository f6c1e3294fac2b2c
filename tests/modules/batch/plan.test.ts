/**
 * The batch tier planned offline (Terraform against the provider mirror, no
 * credentials): staging as shipped (the workflow runner) and staging with
 * the steady Spot Fleet instead. Validation and a plan of creates only.
 */
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import staging from '../../../environments/staging';
import type { EnvironmentInput } from '../../../environments/schema';
import { offlinePlan, type OfflinePlanResult } from '../../../tools/lib/terraform';
import { synthEnvironments } from '../../support/synth';
import { bootUserData, lintScript } from '../../support/user-data';

const fleetVariant: EnvironmentInput = {
  ...structuredClone(staging),
  batch: { ...structuredClone(staging.batch!), runner: 'spot-fleet', fleet: { targetCapacity: 4, onDemandTargetCapacity: 1 } },
};

const plans: Record<string, OfflinePlanResult> = {};

beforeAll(async () => {
  const workflow = synthEnvironments([{ file: 'staging.ts', data: structuredClone(staging) }]);
  const fleet = synthEnvironments([{ file: 'staging.ts', data: fleetVariant }]);
  const [a, b] = await Promise.all([offlinePlan(join(workflow.outdir, 'stacks', 'staging')), offlinePlan(join(fleet.outdir, 'stacks', 'staging'))]);
  plans.workflow = a!;
  plans['spot-fleet'] = b!;
}, 400_000);

const managed = (runner: string) => plans[runner]!.plan.resource_changes.filter((c) => c.mode === 'managed');
const batchChanges = (runner: string) => managed(runner).filter((c) => c.address.includes('batch'));

describe.each(['workflow', 'spot-fleet'])('staging with the %s runner, planned offline', (runner) => {
  it('validates and plans creates only', () => {
    const result = plans[runner]!;
    expect(result.validate.valid, JSON.stringify(result.validate.diagnostics)).toBe(true);
    expect([...new Set(managed(runner).flatMap((c) => c.change.actions))]).toEqual(['create']);
  });

  it('creates the buckets and the runner', () => {
    const types = new Set(batchChanges(runner).map((c) => c.type));
    expect(types).toContain('aws_s3_bucket');
    expect(types).toContain('aws_launch_template');
    expect(types.has('aws_sfn_state_machine')).toBe(runner === 'workflow');
    expect(types.has('aws_lambda_function')).toBe(runner === 'workflow');
    expect(types.has('aws_spot_fleet_request')).toBe(runner === 'spot-fleet');
  });
});

describe('what the plan shows', () => {
  it('the state machine definition reaches AWS as JSON, with the job script\'s ${…} as written', () => {
    const machine = batchChanges('workflow').find((c) => c.type === 'aws_sfn_state_machine')!;
    const after = machine.change.after as { definition?: string; tracing_configuration?: { enabled: boolean }[] };
    // The definition names buckets and the template, so it is known only after apply; the shell's own ${…} survive Terraform.
    expect(after.tracing_configuration).toEqual([{ enabled: true }]);
    expect(after.definition === undefined || typeof after.definition === 'string').toBe(true);
    if (typeof after.definition === 'string') expect(after.definition).toContain('${OUTPUT_URI%.gz}');
  });

  it('the fleet maintains its capacity, capacity-optimized, and terminates its instances with the request', () => {
    const fleet = batchChanges('spot-fleet').find((c) => c.type === 'aws_spot_fleet_request')!;
    expect(fleet.change.after).toMatchObject({
      fleet_type: 'maintain',
      allocation_strategy: 'capacityOptimized',
      target_capacity: 4,
      on_demand_target_capacity: 1,
      terminate_instances_with_expiration: true,
      terminate_instances_on_delete: 'true',
    });
  });
});

describe('a fleet instance booting from the planned user data', () => {
  const WORKER = '/usr/local/bin/batch-worker';
  const UNIT = '/etc/systemd/system/batch-worker.service';
  let boot: ReturnType<typeof bootUserData>;
  beforeAll(() => {
    const template = batchChanges('spot-fleet').find((c) => c.type === 'aws_launch_template')!;
    const userData = Buffer.from(String((template.change.after as { user_data?: string }).user_data), 'base64').toString('utf8');
    boot = bootUserData(userData, { region: staging.region, healthUrl: 'http://localhost/health', healthy: true, capture: [WORKER, UNIT] });
  });

  it('writes the worker and its unit, and starts it with systemd', () => {
    expect(boot.status, boot.stderr).toBe(0);
    expect(boot.calls.systemctl).toEqual([['daemon-reload'], ['enable', '--now', 'batch-worker.service']]);
    expect(boot.files[UNIT]).toContain(`ExecStart=${WORKER}`);
  });

  it('the worker is the environment\'s commands, with its prefixes, and lints clean', () => {
    const worker = boot.files[WORKER] ?? '';
    for (const line of staging.batch!.commands) expect(worker).toContain(line);
    expect(worker).toContain("export INPUT_URI='s3://web-app-staging-batch-in-123456789012-ap-northeast-2/incoming/'");
    expect(lintScript(worker)).toEqual([]);
  });
});

/** Plain-text tables of an Inventory, for the terminal. */
import type { AutoScalingGroup, Inventory, ScalingPolicy } from './inventory';

export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const format = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [format(headers), format(widths.map((w) => '─'.repeat(w))), ...rows.map(format)].map((l) => `  ${l}`).join('\n');
}

export function renderInventory(inventory: Inventory): string {
  const sections: string[] = [];
  const add = (title: string, body: string) => sections.push(`${title}\n${body}`);

  add(
    'Networks',
    table(
      ['region', 'VPC', 'CIDR', 'subnets (tier AZ CIDR)', 'NAT'],
      inventory.networks.flatMap((net) =>
        net.subnets.map((s, i) => [
          i === 0 ? net.region : '',
          i === 0 ? `${net.name ?? net.vpcId}` : '',
          i === 0 ? net.cidr : '',
          `${s.tier ?? '-'} ${s.zone} ${s.cidr}`,
          i === 0 ? String(net.natGateways) : '',
        ]),
      ),
    ),
  );

  add(
    'Load balancers and listeners',
    table(
      ['load balancer', 'state', 'listener', 'policy / action', 'target group health check'],
      inventory.loadBalancers.flatMap((lb) => {
        const tg = lb.targetGroups[0];
        const health = tg ? `${tg.protocol}:${tg.port} ${tg.healthCheck.path ?? ''} → ${tg.healthCheck.matcher ?? ''}` : '-';
        const flags = [
          `invalid headers dropped: ${lb.attributes['routing.http.drop_invalid_header_fields.enabled'] ?? '?'}`,
          `deletion protection: ${lb.attributes['deletion_protection.enabled'] ?? '?'}`,
          `access logs: ${lb.attributes['access_logs.s3.enabled'] ?? '?'}`,
        ].join(', ');
        return [
          ...lb.listeners.map((l, i) => [
            i === 0 ? `${lb.name} (${lb.region})` : '',
            i === 0 ? lb.state : '',
            `${l.protocol}:${l.port}`,
            l.protocol === 'HTTPS' ? `${l.sslPolicy ?? '-'} → ${l.action}` : l.action,
            i === 0 ? health : '',
          ]),
          ['', '', '', flags, ''],
        ];
      }),
    ),
  );

  add(
    'Auto Scaling groups',
    table(
      ['group', 'min/max/desired', 'instances', 'mixed-instances split', 'types (weight)'],
      inventory.autoScalingGroups.map((g) => [
        `${g.name} (${g.region})`,
        `${g.min}/${g.max}/${g.desired}`,
        String(g.instances),
        split(g),
        g.mixed?.overrides.map((o) => `${o.type}×${o.weight}`).join(', ') ?? '-',
      ]),
    ),
  );

  add(
    'Scaling policies and schedules',
    table(
      ['group', 'name', 'type', 'settings'],
      inventory.autoScalingGroups.flatMap((g) => [
        ...g.policies.map((p) => [g.name, p.name, p.type, policySettings(p)]),
        ...g.schedules.map((s) => [g.name, s.name, 'Scheduled', `${s.recurrence ?? ''} ${s.timeZone ?? 'UTC'} → min ${s.min ?? '-'} max ${s.max ?? '-'} desired ${s.desired ?? '-'}`]),
      ]),
    ),
  );

  const ops = inventory.operations;
  add(
    'Alarms',
    table(
      ['alarm (region)', 'condition', 'notifies, and on recovery'],
      ops.alarms
        .slice()
        .sort((a, b) => a.name.localeCompare(b.name))
        .map((a) => [`${a.name} (${a.region})`, `${a.metric ?? '?'} ${comparisonSign(a.comparison)} ${a.threshold ?? '?'}`, topicNames([...new Set([...a.alarmActions, ...a.okActions])])]),
    ),
  );
  add(
    'Spot interruption handling and lifecycle hooks',
    table(
      ['resource', 'name', 'settings'],
      [
        ...ops.functions.map((f) => [
          'Lambda',
          f.name,
          `${f.runtime ?? '?'} · tracing ${f.tracing ?? 'off'} · DLQ ${f.deadLetterTarget?.split(':').pop() ?? 'none'} · reserved ${f.reservedConcurrency ?? '-'}`,
        ]),
        ...ops.rules.map((r) => ['EventBridge rule', r.name, `${JSON.stringify((r.pattern as { 'detail-type'?: string[] })?.['detail-type'] ?? [])} → ${r.targets.map((t) => t.split(':').pop()).join(', ')}`]),
        ...inventory.autoScalingGroups.flatMap((g) =>
          g.lifecycleHooks.map((h) => ['lifecycle hook', h.name, `${h.transition.replace('autoscaling:', '')} · heartbeat ${h.heartbeatTimeout ?? '?'} s · ${h.defaultResult ?? '?'} → ${topicNames([h.notificationTargetArn ?? ''])}`]),
        ),
        ...ops.dashboards.map((d) => ['dashboard', d, '']),
      ],
    ),
  );

  add(
    'DNS records',
    table(
      ['zone', 'name', 'type', 'routing', 'target'],
      inventory.hostedZones.flatMap((zone) =>
        zone.records.map((r, i) => [
          i === 0 ? zone.name.replace(/\.$/, '') : '',
          r.name,
          r.type,
          r.failover ? `${r.failover}${r.healthCheckId ? ' + health check' : ''}` : 'simple',
          r.aliasTarget ? `alias ${r.aliasTarget}` : '-',
        ]),
      ),
    ),
  );

  add(
    'State backend',
    table(
      ['resource', 'name', 'settings'],
      [
        ...inventory.buckets.map((b) => [
          'S3 bucket',
          b.name,
          [
            `versioning ${b.versioning ?? 'off'}`,
            `SSE ${b.encryption?.algorithm ?? 'none'}${b.encryption?.bucketKey ? ' + bucket key' : ''}`,
            `public access blocked ${countTrue(b.publicAccessBlock)}/4`,
            b.policyStatements.length ? `policy ${b.policyStatements.join(', ')}` : 'no policy',
          ].join(' · '),
        ]),
        ...inventory.tables.map((t) => [
          'DynamoDB table',
          t.name,
          [`${t.status ?? '?'}`, `key ${t.hashKey ?? '?'}`, `PITR ${t.pointInTimeRecovery ?? '?'}`, `SSE ${t.encryption ?? 'default'}`].join(' · '),
        ]),
      ],
    ),
  );
  return sections.join('\n\n');
}

function comparisonSign(operator: string | undefined): string {
  const signs: Record<string, string> = {
    GreaterThanThreshold: '>',
    GreaterThanOrEqualToThreshold: '≥',
    LessThanThreshold: '<',
    LessThanOrEqualToThreshold: '≤',
  };
  return signs[operator ?? ''] ?? operator ?? '?';
}

function topicNames(arns: readonly string[]): string {
  return arns.map((arn) => arn.split(':').pop()).join(', ');
}

function split(group: AutoScalingGroup): string {
  const m = group.mixed;
  if (!m) return 'single type, on-demand';
  return `on-demand base ${m.onDemandBase} + ${m.onDemandAboveBasePercent}% above base; Spot ${m.spotStrategy ?? '-'}`;
}

function policySettings(p: ScalingPolicy): string {
  if (p.target) return `${p.target.metric ?? '?'} target ${p.target.value ?? '?'}`;
  if (p.predictive)
    return `${p.predictive.mode} on ${p.predictive.metric ?? '?'} target ${p.predictive.targetValue ?? '?'}, buffer ${p.predictive.schedulingBufferTime ?? '?'} s, ${p.predictive.maxCapacityBreachBehavior ?? ''}`;
  if (p.steps) return `${p.steps} steps`;
  return '-';
}

function countTrue(block: object | undefined): number {
  return block ? Object.values(block).filter((v) => v === true).length : 0;
}

/**
 * The policy sets compare mode runs side by side, each built from the
 * group as synthesized so only the scaling differs.
 */
import type { Fleet, PredictivePolicy } from '../synth-model/stack-model';
import { cpuTargetOf } from './engine';

export const VARIANTS = ['as-configured', 'target-tracking-only', 'target+predictive', 'no-scaling'] as const;
export type VariantName = (typeof VARIANTS)[number];

export function isVariant(name: string): name is VariantName {
  return (VARIANTS as readonly string[]).includes(name);
}

/** The seed's predictive settings, used when a group has none to compare with. */
function seedPredictive(fleet: Fleet): PredictivePolicy {
  return {
    kind: 'predictive',
    name: 'predictive (seed defaults)',
    mode: 'ForecastAndScale',
    metric: 'cpu',
    target: cpuTargetOf(fleet),
    bufferSeconds: 300,
    maxCapacityBreach: 'HonorMaxCapacity',
    maxCapacityBufferPercent: 0,
  };
}

export function variantOf(fleet: Fleet, name: VariantName): Fleet {
  const targetTracking = fleet.policies.filter((p) => p.kind === 'target-tracking');
  switch (name) {
    case 'as-configured':
      return fleet;
    case 'target-tracking-only':
      return { ...fleet, policies: targetTracking };
    case 'target+predictive': {
      const existing = fleet.policies.find((p): p is PredictivePolicy => p.kind === 'predictive');
      // A ForecastOnly policy would change nothing: compare what it would do if it acted.
      const predictive = existing ? { ...existing, mode: 'ForecastAndScale' as const } : seedPredictive(fleet);
      return { ...fleet, policies: [...targetTracking, predictive] };
    }
    case 'no-scaling':
      return { ...fleet, policies: [], schedules: [] };
  }
}

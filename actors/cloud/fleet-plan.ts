import type { ActionSpec, PurchaseOption } from '../../schemas/index.js';
import type { InstanceDescription, InstanceType } from '../../sim/index.js';

/** One step the executor takes through the provider. */
export type Step =
  | { op: 'launch'; instanceType: string; purchaseOption: PurchaseOption; zone: string }
  | { op: 'terminate'; instanceId: string };

export interface Plan {
  /** Launched first and waited for (pre-spin), then the terminations run. */
  launches: Extract<Step, { op: 'launch' }>[];
  terminations: Extract<Step, { op: 'terminate' }>[];
  summary: string;
}

const LIVE = new Set(['pending', 'running']);

export function liveInstances(all: readonly InstanceDescription[]): InstanceDescription[] {
  return all.filter((i) => LIVE.has(i.state));
}

function hourly(i: InstanceDescription, types: ReadonlyMap<string, InstanceType>): number {
  return types.get(i.instanceType)?.prices[i.purchaseOption]?.usdPerHour ?? 0;
}

/** The most common (type, option, zone) among live instances: what a scale-up adds more of. */
function dominant(live: readonly InstanceDescription[]): {
  instanceType: string;
  purchaseOption: PurchaseOption;
  zone: string;
} {
  const counts = new Map<string, { n: number; i: InstanceDescription }>();
  for (const i of live) {
    const k = `${i.instanceType}|${i.purchaseOption}|${i.zone}`;
    const c = counts.get(k);
    counts.set(k, { n: (c?.n ?? 0) + 1, i });
  }
  const best = [...counts.values()].sort((a, b) => b.n - a.n || a.i.id.localeCompare(b.i.id))[0];
  if (!best) throw new Error('the workload has no live instance to take the shape of a new one from');
  return { instanceType: best.i.instanceType, purchaseOption: best.i.purchaseOption, zone: best.i.zone };
}

/**
 * What an approved capacity action means for the workload's instances. Scale-downs retire the
 * most expensive per hour first (newest on a tie); purchase-option and instance-type changes
 * launch every replacement before terminating anything, because a node takes minutes to start
 * while a spot notice gives two.
 */
export function planCapacity(
  action: ActionSpec,
  instances: readonly InstanceDescription[],
  types: ReadonlyMap<string, InstanceType>
): Plan {
  const live = liveInstances(instances);
  switch (action.kind) {
    case 'scale_replicas': {
      const delta = action.to - live.length;
      if (delta > 0) {
        const shape = dominant(live);
        return {
          launches: Array.from({ length: delta }, () => ({ op: 'launch' as const, ...shape })),
          terminations: [],
          summary: `scale ${live.length} → ${action.to}: launch ${delta} × ${shape.instanceType} ${shape.purchaseOption}`,
        };
      }
      const victims = [...live]
        .sort((a, b) => hourly(b, types) - hourly(a, types) || b.launchedAtSec - a.launchedAtSec)
        .slice(0, Math.max(0, -delta));
      return {
        launches: [],
        terminations: victims.map((i) => ({ op: 'terminate' as const, instanceId: i.id })),
        summary:
          delta === 0
            ? `already at ${action.to} replicas`
            : `scale ${live.length} → ${action.to}: terminate ${victims.map((v) => v.id).join(', ')}`,
      };
    }
    case 'change_purchase_option':
    case 'change_instance_type': {
      const moving = live.filter((i) =>
        action.kind === 'change_purchase_option' ? i.purchaseOption === action.from : i.instanceType === action.from
      );
      const launches = moving.map((i) => ({
        op: 'launch' as const,
        instanceType: action.kind === 'change_instance_type' ? action.to : i.instanceType,
        purchaseOption: action.kind === 'change_purchase_option' ? action.to : i.purchaseOption,
        zone: action.kind === 'change_instance_type' ? (types.get(action.to)?.zones[0] ?? i.zone) : i.zone,
      }));
      return {
        launches,
        terminations: moving.map((i) => ({ op: 'terminate' as const, instanceId: i.id })),
        summary: `${action.kind} ${action.from} → ${action.to} for ${moving.length} instance(s), replacements first`,
      };
    }
    default:
      throw new Error(`${action.kind} is not a capacity action`);
  }
}

export function isCapacityAction(a: ActionSpec): boolean {
  return a.kind === 'scale_replicas' || a.kind === 'change_purchase_option' || a.kind === 'change_instance_type';
}

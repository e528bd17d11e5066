import type { z } from 'zod';
import type {
  cloudCostReportV1,
  instanceTypesV1,
  instancesV1,
  reservationsV1,
  DataOf,
  FieldIssue,
} from '../../schemas/index.js';
import {
  CloudError,
  CloudErrorCode,
  type CostReport,
  type InstanceDescription,
  type InstanceType,
  type PriceQuote,
  type Reservation,
} from '../cloud/index.js';

type WireType = DataOf<typeof instanceTypesV1>['items'][number];
type WireInstance = DataOf<typeof instancesV1>['items'][number];
type WireReservation = DataOf<typeof reservationsV1>['items'][number];
type WireCosts = z.input<typeof cloudCostReportV1.data>;

/** `CloudProvider` values ↔ the snake_case messages of `schemas/cloud-commands.v1.ts`. */
export const cloudWire = {
  instanceType: (t: InstanceType): WireType => ({
    id: t.id,
    provider: t.provider,
    name: t.name,
    region: t.region,
    zones: [...t.zones],
    gpu_id: t.gpuId,
    gpu_count: t.gpuCount,
    gpu_memory_gb: t.gpuMemoryGb,
    prices: Object.fromEntries(
      Object.entries(t.prices).map(([o, q]) => [
        o,
        { usd_per_hour: q.usdPerHour, source: q.source, as_of: q.asOf, assumed: q.assumed, basis: q.basis },
      ])
    ),
    ...(t.spotInterruptionsPerHour ? { spot_interruptions_per_hour: { ...t.spotInterruptionsPerHour } } : {}),
  }),
  fromInstanceType: (w: WireType): InstanceType => ({
    id: w.id,
    provider: w.provider,
    name: w.name,
    region: w.region,
    zones: w.zones,
    gpuId: w.gpu_id,
    gpuCount: w.gpu_count,
    gpuMemoryGb: w.gpu_memory_gb,
    prices: Object.fromEntries(
      Object.entries(w.prices).map(([o, q]): [string, PriceQuote] => [
        o,
        { usdPerHour: q.usd_per_hour, source: q.source, asOf: q.as_of, assumed: q.assumed, basis: q.basis },
      ])
    ),
    ...(w.spot_interruptions_per_hour ? { spotInterruptionsPerHour: { ...w.spot_interruptions_per_hour } } : {}),
  }),
  instance: (d: InstanceDescription): WireInstance => ({
    id: d.id,
    instance_type: d.instanceType,
    purchase_option: d.purchaseOption,
    zone: d.zone,
    state: d.state,
    launched_at_s: d.launchedAtSec,
    billing_start_s: d.billingStartSec,
    ready_at_s: d.readyAtSec,
    ...(d.interruptionNoticeAtSec !== undefined ? { interruption_notice_at_s: d.interruptionNoticeAtSec } : {}),
    ...(d.terminatedAtSec !== undefined ? { terminated_at_s: d.terminatedAtSec } : {}),
    ...(d.terminationReason ? { termination_reason: d.terminationReason } : {}),
    ...(d.reservationId ? { reservation_id: d.reservationId } : {}),
    cost_usd: d.costUsd,
  }),
  fromInstance: (w: WireInstance): InstanceDescription => ({
    id: w.id,
    instanceType: w.instance_type,
    purchaseOption: w.purchase_option,
    zone: w.zone,
    state: w.state,
    launchedAtSec: w.launched_at_s,
    billingStartSec: w.billing_start_s,
    readyAtSec: w.ready_at_s,
    ...(w.interruption_notice_at_s !== undefined ? { interruptionNoticeAtSec: w.interruption_notice_at_s } : {}),
    ...(w.terminated_at_s !== undefined ? { terminatedAtSec: w.terminated_at_s } : {}),
    ...(w.termination_reason ? { terminationReason: w.termination_reason } : {}),
    ...(w.reservation_id ? { reservationId: w.reservation_id } : {}),
    costUsd: w.cost_usd,
  }),
  reservation: (r: Reservation): WireReservation => ({
    id: r.id,
    instance_type: r.instanceType,
    count: r.count,
    start_s: r.startSec,
    end_s: r.endSec,
    usd_per_hour: r.usdPerHour,
    in_use: r.inUse,
    cost_usd: r.costUsd,
  }),
  fromReservation: (w: WireReservation): Reservation => ({
    id: w.id,
    instanceType: w.instance_type,
    count: w.count,
    startSec: w.start_s,
    endSec: w.end_s,
    usdPerHour: w.usd_per_hour,
    inUse: w.in_use,
    costUsd: w.cost_usd,
  }),
  costs: (c: CostReport): WireCosts => ({
    at_s: c.atSec,
    total_usd: c.totalUsd,
    by_purchase_option: { ...c.byPurchaseOption },
    by_instance: { ...c.byInstance },
    by_reservation: { ...c.byReservation },
  }),
  fromCosts: (w: DataOf<typeof cloudCostReportV1>): CostReport => ({
    atSec: w.at_s,
    totalUsd: w.total_usd,
    byPurchaseOption: { ...w.by_purchase_option },
    byInstance: { ...w.by_instance },
    byReservation: { ...w.by_reservation },
  }),
};

/** The error-catalog code a cloud failure travels under; the cloud code rides as the issue's rule. */
export const OI_CODE_OF_CLOUD = {
  [CloudErrorCode.capacityUnavailable]: 'OI_UNAVAILABLE',
  [CloudErrorCode.unknownInstanceType]: 'OI_NOT_FOUND',
  [CloudErrorCode.unknownZone]: 'OI_NOT_FOUND',
  [CloudErrorCode.unknownInstance]: 'OI_NOT_FOUND',
  [CloudErrorCode.optionNotOffered]: 'OI_INVALID_PAYLOAD',
  [CloudErrorCode.noReservation]: 'OI_CONFLICT',
  [CloudErrorCode.invalidArgument]: 'OI_INVALID_PAYLOAD',
} as const satisfies Record<CloudErrorCode, string>;

const FIELD_OF_DETAIL: Record<string, string> = {
  instanceType: 'instance_type',
  zone: 'zone',
  instanceId: 'instance_id',
  purchaseOption: 'purchase_option',
};

/** The field issue that carries a cloud error over the wire. */
export function cloudIssue(err: CloudError): FieldIssue {
  const key = Object.keys(FIELD_OF_DETAIL).find((k) => k in err.details);
  const field = typeof err.details.field === 'string' ? err.details.field : key ? FIELD_OF_DETAIL[key]! : '(root)';
  return { path: field, rule: err.code, message: err.message };
}

const CLOUD_CODES = new Set<string>(Object.values(CloudErrorCode));

/** Rebuilds the provider's `CloudError` from a typed error reply, when it carries one. */
export function cloudErrorOf(summary: string, issues: readonly FieldIssue[]): CloudError | undefined {
  const issue = issues.find((i) => CLOUD_CODES.has(i.rule));
  if (!issue) return undefined;
  return new CloudError(issue.rule as CloudErrorCode, summary, { field: issue.path });
}

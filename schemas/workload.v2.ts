import { z } from 'zod';
import { defineMessage } from './registry.js';
import { workloadId, workloadRecord, workloadSpec, type WorkloadRecord, type WorkloadSpec } from './workload.v1.js';

/**
 * v2 of the workload commands, served next to v1 (`oi.v2.cmd.workload.register`). Breaking
 * changes: `workload` is renamed `id`, and `owner` is required. The service keeps one
 * canonical shape (the v1 spec, which carries `owner` as an optional field) and converts here.
 */

const owner = z.string().min(1).max(200).describe('team or person accountable for the workload');
const { workload: _w, owner: _o, ...specRest } = workloadSpec.shape;
const { workload: _rw, owner: _ro, ...recordRest } = workloadRecord.shape;

export const workloadSpecV2 = z.object({ id: workloadId, owner, ...specRest });
export type WorkloadSpecV2 = z.infer<typeof workloadSpecV2>;

export const workloadRecordShapeV2 = z.object({
  id: workloadId,
  owner: owner.nullable().describe('null for workloads registered through v1, which had no owner'),
  ...recordRest,
});
export type WorkloadRecordV2 = z.infer<typeof workloadRecordShapeV2>;

export const registerWorkloadV2 = defineMessage({
  id: 'oi.cmd.workload.register.v2',
  description: 'Register a workload with its owner (idempotent on the envelope id). Reply: oi.cmd.workload.record.v2.',
  data: workloadSpecV2,
});

export const workloadRecordV2 = defineMessage({
  id: 'oi.cmd.workload.record.v2',
  description: 'Reply to a v2 workload command: one stored workload, keyed by id.',
  data: workloadRecordShapeV2,
});

/** The canonical (v1) spec a v2 registration stands for. */
export function registerV2ToV1Spec(v2: WorkloadSpecV2): WorkloadSpec & { owner: string } {
  const { id, owner: who, ...rest } = v2;
  return { workload: id, ...rest, owner: who };
}

/** A stored record as a v2 client sees it. */
export function recordV1ToV2(record: WorkloadRecord): WorkloadRecordV2 {
  const { workload, owner: who, ...rest } = record;
  return { id: workload, owner: who ?? null, ...rest };
}

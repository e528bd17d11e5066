import { describe, expect, it } from 'vitest';
import {
  checkData,
  exampleOf,
  recordV1ToV2,
  registerV2ToV1Spec,
  registerWorkloadV1,
  registerWorkloadV2,
  subjects,
  workloadRecordV1,
  workloadRecordV2,
} from './index.js';

describe('schemas workload v2', () => {
  it('is served on its own subject next to v1', () => {
    expect(subjects.cmd('workload', 'register', 2)).toBe('oi.v2.cmd.workload.register');
    expect(registerWorkloadV2.version).toBe(2);
  });

  it('requires the owner and the renamed id', () => {
    const v2 = exampleOf(registerWorkloadV2);
    const { owner: _o, ...noOwner } = v2;
    expect(() => checkData(registerWorkloadV2, noOwner)).toThrow(/data\.owner/);
    expect(() => checkData(registerWorkloadV2, { ...v2, owner: '' })).toThrow(/too_small/);
    expect(() => checkData(registerWorkloadV2, { ...v2, owner: 'x'.repeat(201) })).toThrow(/too_big/);
    const { id, ...noId } = v2;
    expect(() => checkData(registerWorkloadV2, { ...noId, workload: id })).toThrow(/data\.id/);
  });

  it('turns a v2 registration into the canonical v1 spec that keeps the owner', () => {
    const v2 = checkData(registerWorkloadV2, { id: 'wl-42', owner: 'team-search', name: 'Search', model: 'm' });
    const spec = registerV2ToV1Spec(v2);
    expect(spec).toEqual(
      checkData(registerWorkloadV1, { workload: 'wl-42', owner: 'team-search', name: 'Search', model: 'm' })
    );
    expect(spec).not.toHaveProperty('id');
  });

  it('shows a stored record to v2 clients, with a null owner when v1 registered it', () => {
    const record = exampleOf(workloadRecordV1);
    const v2 = recordV1ToV2(record);
    expect(checkData(workloadRecordV2, v2)).toEqual(v2);
    expect(v2).toMatchObject({ id: record.workload, owner: record.owner, revision: record.revision });
    expect(v2).not.toHaveProperty('workload');
    const { owner: _o, ...legacy } = record;
    expect(recordV1ToV2(legacy).owner).toBeNull();
  });

  it('round-trips v2 → v1 → v2 without losing a field', () => {
    const v2 = exampleOf(registerWorkloadV2);
    const record = { ...registerV2ToV1Spec(v2), revision: 1, registered_at: 'x', updated_at: 'x', last_command: 'c' };
    const { revision: _r, registered_at: _a, updated_at: _u, last_command: _c, ...back } = recordV1ToV2(record);
    expect(back).toEqual(v2);
  });
});

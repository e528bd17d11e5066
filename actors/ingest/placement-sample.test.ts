import { describe, expect, it } from 'vitest';
import { placementRows } from './placement-sample.js';

describe('ingest placementRows', () => {
  it('writes one row per partition lease and per live host, stamped with the sample time and sampler', () => {
    const ts = new Date('2026-11-24T14:40:50Z');
    const rows = placementRows(
      {
        leader: { holder: 'sup-1', epoch: 3, age_ms: 1_000 },
        partitions: 2,
        hosts: [{ host: 'h1', assigned: 2, held: 1, heartbeat_age_ms: 120, actors: 5, processed: 90, restarts: 0 }],
        leases: [
          { partition: 0, holder: 'h1', epoch: 4, age_ms: 10, live: true, assigned_to: 'h1' },
          { partition: 1, holder: '', epoch: 7, age_ms: 9_000, live: false, assigned_to: null },
        ],
        unassigned: [],
      },
      ts,
      'ingest-a'
    );
    expect(rows.placement).toEqual([
      {
        ts: '2026-11-24T14:40:50.000Z',
        sampler: 'ingest-a',
        partition: 0,
        holder: 'h1',
        epoch: 4,
        live: 1,
        assigned_to: 'h1',
      },
      {
        ts: '2026-11-24T14:40:50.000Z',
        sampler: 'ingest-a',
        partition: 1,
        holder: '',
        epoch: 7,
        live: 0,
        assigned_to: '',
      },
    ]);
    expect(rows.hosts).toEqual([
      {
        ts: '2026-11-24T14:40:50.000Z',
        sampler: 'ingest-a',
        host: 'h1',
        assigned: 2,
        held: 1,
        heartbeat_age_ms: 120,
        actors: 5,
        processed: 90,
        restarts: 0,
      },
    ]);
  });
});

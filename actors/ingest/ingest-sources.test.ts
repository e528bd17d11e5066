import { describe, expect, it } from 'vitest';
import { ingestConsumerSpecs, ingestSources, ingestTelConsumer } from './ingest-sources.js';

describe('ingest sources', () => {
  it('gives every OI_TEL partition its own consumer and lease, and one each to OI_REC, OI_DEC, OI_EVT, OI_DLQ', () => {
    const s = ingestSources(4);
    expect(s.map((x) => x.durable)).toEqual([
      'oi-ingest-tel-p0',
      'oi-ingest-tel-p1',
      'oi-ingest-tel-p2',
      'oi-ingest-tel-p3',
      'oi-ingest-rec',
      'oi-ingest-dec',
      'oi-ingest-evt',
      'oi-ingest-dlq',
    ]);
    expect(s.map((x) => x.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(s[2]).toMatchObject({ stream: 'OI_TEL', filterSubject: 'oi.v1.tel.2.>', lease: 'ingest.tel.2' });
    expect(s[2]!.tables).toEqual(['tel_gpu', 'tel_engine', 'tel_app', 'tel_cost', 'tel_app_tiers']);
    expect(s[4]).toMatchObject({ stream: 'OI_REC', filterSubject: 'oi.v1.rec.>', tables: ['proposals'] });
    expect(s[6]).toMatchObject({ stream: 'OI_EVT', lease: 'ingest.evt', tables: ['events'] });
    expect(s[7]).toMatchObject({ stream: 'OI_DLQ', filterSubject: 'oi.v1.dlq.>', tables: ['dlq_entries'] });
  });

  it('never shares a durable name with the agents’ partition consumers', () => {
    expect(ingestTelConsumer(7)).not.toBe('oi-tel-p7');
  });

  it('provisions with the ingest batch limits', () => {
    const specs = ingestConsumerSpecs({ partitions: 2, maxAckPending: 4000, ackWaitMs: 30_000 });
    expect(specs).toHaveLength(6);
    expect(specs[0]).toEqual({
      stream: 'OI_TEL',
      durable: 'oi-ingest-tel-p0',
      filterSubject: 'oi.v1.tel.0.>',
      ackWaitMs: 30_000,
      maxAckPending: 4000,
    });
  });

  it('refuses a partition count the bus cannot have', () => {
    expect(() => ingestSources(0)).toThrow('partitions must be an integer in 1..1024, got 0');
    expect(() => ingestSources(1.5)).toThrow('partitions must be an integer in 1..1024');
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_PARTITIONS, parseTelStored, partitionOf, subjects, token } from './index.js';

describe('schemas subjects', () => {
  it('builds the subjects of DESIGN.md "Subjects (v1)"', () => {
    expect(subjects.cmd('workload', 'register')).toBe('oi.v1.cmd.workload.register');
    expect(subjects.cmd('workload', 'register', 2)).toBe('oi.v2.cmd.workload.register');
    expect(subjects.tel('gpu', 'wl-42', 'node-1')).toBe('oi.v1.tel.gpu.wl-42.node-1');
    expect(subjects.telStored(7, 'engine', 'wl-42', 'node-1')).toBe('oi.v1.tel.7.engine.wl-42.node-1');
    expect(subjects.rec('cost', 'wl-42')).toBe('oi.v1.rec.cost.wl-42');
    expect(subjects.dec('wl-42')).toBe('oi.v1.dec.wl-42');
    expect(subjects.act('node-1', 'engine.reconfigure')).toBe('oi.v1.act.node-1.engine.reconfigure');
    expect(subjects.evt('workload', 'registered', 'wl-42')).toBe('oi.v1.evt.workload.registered.wl-42');
    expect(subjects.dlq('OI_TEL')).toBe('oi.v1.dlq.OI_TEL');
  });

  it.each(['wl.42', 'wl*', '>', 'wl 42', '', 'a'.repeat(65), 'wl\n42', 'wl/42'])(
    'refuses the token %j wherever a token goes',
    (bad) => {
      expect(() => token('workload', bad)).toThrow(/not a valid subject token/);
      expect(() => subjects.tel('gpu', bad, 'node-1')).toThrow();
      expect(() => subjects.tel('gpu', 'wl-42', bad)).toThrow();
      expect(() => subjects.dec(bad)).toThrow();
      expect(() => subjects.evt('workload', 'registered', bad)).toThrow();
    }
  );

  it('refuses verbs with empty or wildcard tokens', () => {
    expect(() => subjects.act('node-1', 'engine..drain')).toThrow();
    expect(() => subjects.act('node-1', 'engine.*')).toThrow();
    expect(() => subjects.act('node-1', 'engine.>')).toThrow();
  });

  it('assigns partitions deterministically and in range', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `wl-${i}`);
    for (const id of ids) {
      const p = partitionOf(id);
      expect(Number.isInteger(p) && p >= 0 && p < DEFAULT_PARTITIONS).toBe(true);
      expect(partitionOf(id)).toBe(p);
      expect(partitionOf(id, 5)).toBeLessThan(5);
    }
    // spread: every partition gets some of 2000 workloads
    expect(new Set(ids.map((id) => partitionOf(id))).size).toBe(DEFAULT_PARTITIONS);
  });

  it('matches FNV-1a 32 as nats-server computes it', () => {
    // FNV-1a("a") = 0xe40c292c, FNV-1a("") = 0x811c9dc5
    expect(partitionOf('a', 2 ** 31)).toBe(0xe40c292c % 2 ** 31);
    expect(partitionOf('', 1000)).toBe(0x811c9dc5 % 1000);
  });

  it('parses a stored telemetry subject back into its parts', () => {
    expect(parseTelStored(subjects.telStored(3, 'gpu', 'wl-42', 'node-1'))).toEqual({
      partition: 3,
      source: 'gpu',
      workload: 'wl-42',
      node: 'node-1',
    });
    expect(parseTelStored('oi.v1.tel.gpu.wl-42.node-1')).toBeUndefined();
  });
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startTsProcess } from '../../testkit/index.js';
import { FAULT_KINDS } from './faults.js';
import { runChaos } from './run-chaos.js';

// The full run is `npm run chaos` (10 minutes, 30 s ClickHouse outage); this is its short version:
// every fault kind once, short holds.
describe('chaos (short): one fault of every kind across every process kind', () => {
  it('loses nothing, runs nothing twice, accepts no stale epoch, stores each message once, resolves every proposal', async () => {
    const lines: string[] = [];
    const r = await runChaos({
      seconds: 1,
      seed: 20261125,
      hosts: 1,
      ingests: 1,
      rate: 30,
      workloads: 8,
      timings: { clickhouseOutageMs: 6_000, natsDownMs: 2_000 },
      progress: (l) => lines.push(l),
    });
    const log = lines.join('\n');
    expect(r.checkerOutput, log).toMatch(/OK: no message lost/);
    expect(r.checkerExit).toBe(0);
    expect(r.faultViolations, log).toEqual([]);
    for (const row of r.rows) {
      expect(row.injected, row.kind).toBeGreaterThanOrEqual(1);
      expect(row.unrecovered, `${row.kind} recovered\n${log}`).toBe(0);
      expect(row.checked, row.kind).toBeGreaterThan(0);
    }
    expect(r.rows.map((x) => x.kind).sort()).toEqual([...FAULT_KINDS].sort());
    const checked = /checked: (\d+) acknowledged messages, (\d+) applied effects/.exec(r.checkerOutput);
    expect(Number(checked?.[2])).toBeGreaterThanOrEqual(Number(checked?.[1]));
    const stored = /(\d+) actions with (\d+) results, (\d+) proposals with (\d+) outcomes, (\d+) telemetry rows/.exec(
      r.checkerOutput
    );
    expect(Number(stored?.[1])).toBeGreaterThan(20);
    expect(Number(stored?.[3])).toBeGreaterThan(10);
    expect(Number(stored?.[5])).toBe(Number(checked?.[1]));
    expect(r.table).toMatch(/\| total \(final check\) +\| +15 \|/);
  }, 420_000);

  it('the checker process fails on planted violations and names each one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oi-chaos-planted-'));
    const lines = (xs: unknown[]): string => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';
    writeFileSync(
      join(dir, 'publisher.jsonl'),
      lines([
        { id: 'm1', w: 'wl-a' },
        { id: 'm2', w: 'wl-a' },
      ])
    );
    writeFileSync(
      join(dir, 'leases.jsonl'),
      lines([
        { rev: 1, key: '', op: 'start' },
        { rev: 2, key: 'part.0', op: 'put', holder: 'h1', epoch: 1, deadline: 2_000, acquiredAt: 1_000 },
        { rev: 3, key: 'part.0', op: 'put', holder: 'h2', epoch: 2, deadline: 4_000, acquiredAt: 2_500 },
      ])
    );
    writeFileSync(
      join(dir, 'receiver.jsonl'),
      lines([
        { k: 'fence', seq: 1, p: 0, e: 1, holder: 'h1' },
        { k: 'apply', seq: 2, id: 'm1.probe.0', p: 0, e: 1, src: 'h1', msg: 'm1', w: 'wl-a', count: 1 },
        { k: 'fence', seq: 3, p: 0, e: 2, holder: 'h2' },
        { k: 'apply', seq: 4, id: 'm1.probe.0', p: 0, e: 1, src: 'h1', msg: 'm1', w: 'wl-a', count: 1 },
      ])
    );
    writeFileSync(
      join(dir, 'actions.jsonl'),
      lines([
        { action: 'a1', decision: 'd1', epoch: 2, seq: 1, t: 1 },
        { action: 'a2', decision: 'd1', epoch: 2, seq: 2, t: 2, repeat: true },
        { action: 'a3', decision: 'd3', epoch: 1, seq: 3, t: 3, stale: true },
        { action: 'a4', decision: 'd4', epoch: 2, seq: 4, t: 4 },
      ])
    );
    writeFileSync(
      join(dir, 'events.jsonl'),
      lines([
        { k: 'result', seq: 1, action: 'a1', decision: 'd1', status: 'succeeded', detail: '{}' },
        { k: 'result', seq: 2, action: 'a2', decision: 'd1', status: 'succeeded', detail: '{}' },
        { k: 'result', seq: 3, action: 'a3', decision: 'd3', status: 'succeeded', detail: '{}' },
      ])
    );
    writeFileSync(join(dir, 'proposals.jsonl'), lines([{ id: 'p1', w: 'wl-p', t: 1 }]));
    const checker = startTsProcess(
      'checker',
      fileURLToPath(new URL('./checker.ts', import.meta.url)),
      ['--dir', dir],
      {}
    );
    expect(await checker.exited).toBe(1);
    const out = checker.getLog();
    expect(out).toMatch(/VIOLATION double-apply: effect m1\.probe\.0 applied 2 times/);
    expect(out).toMatch(
      /VIOLATION stale-accepted: effect m1\.probe\.0 at seq 4 applied under epoch 1 of partition 0, mark 2/
    );
    expect(out).toMatch(/VIOLATION lost: message m2/);
    expect(out).toMatch(/VIOLATION action-twice: decision d1 executed 2 times/);
    expect(out).toMatch(/VIOLATION action-stale: action a3 ran under epoch 1 after epoch 2 had run/);
    expect(out).toMatch(/VIOLATION action-lost: action a4 \(decision d4\)/);
    expect(out).toMatch(/VIOLATION proposal-unresolved: proposal p1/);
    expect(out).toMatch(/FAILED: /);
  });
});

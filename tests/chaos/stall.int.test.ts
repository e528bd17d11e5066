import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { check } from '../../testkit/index.js';
import { readPlacementState } from '../../supervisor/index.js';
import { ChaosRig } from './rig.js';
import { parseJsonl, type ReceiverRecord } from './records.js';

const P = 8;
const TTL = 1_500;

describe('a stalled host (SIGSTOP past its lease, then SIGCONT)', () => {
  it('gets no effect accepted for its old partitions, and nothing is lost', async () => {
    await using rig = new ChaosRig({ partitions: P, leaseTtlMs: TTL });
    await rig.start();
    const stalled = rig.spawn('host');
    rig.spawn('host');
    await rig.settled(2);
    const publisher = await rig.startPublisher(80, 16);
    await sleep(2_000);

    const before = await readPlacementState(rig.bus, P, TTL);
    const old = before.leases.filter((l) => l.live && l.holder === stalled.id);
    expect(old.length).toBeGreaterThan(0);
    stalled.p.signal('SIGSTOP');
    const stoppedAt = Date.now();
    // every partition it held is taken over under a higher epoch while it sleeps
    await check(
      async () => {
        const s = await readPlacementState(rig.bus, P, TTL);
        return (
          old.every((o) => s.leases.some((l) => l.partition === o.partition && l.live && l.epoch > o.epoch)) ||
          undefined
        );
      },
      4 * TTL + 5_000,
      { name: 'stalled host partitions taken over' }
    );
    const takenOverMs = Date.now() - stoppedAt;
    await sleep(TTL);
    stalled.p.signal('SIGCONT');
    await sleep(3 * TTL);
    await publisher.stop(10_000);
    expect(await rig.drained(60_000)).toBe(true);
    const checked = await rig.finish();
    expect(checked.output).toMatch(/OK: no message lost/);
    expect(checked.code).toBe(0);

    // judged from the receiver's log: after the stall, nothing of the old epochs was applied
    const rec = parseJsonl<ReceiverRecord>(readFileSync(join(rig.dir, 'receiver.jsonl'), 'utf8'), 'receiver.jsonl');
    for (const o of old) {
      const newFence = rec.find((r) => r.k === 'fence' && r.p === o.partition && r.e > o.epoch)!;
      expect(newFence).toBeDefined();
      const lateApplied = rec.filter(
        (r) => r.k === 'apply' && r.p === o.partition && r.seq > newFence.seq && r.e <= o.epoch
      );
      expect(lateApplied).toEqual([]);
    }
    const log = readFileSync(join(rig.dir, `${stalled.id}.log`), 'utf8');
    expect(log).toMatch(/"partition lost"|"msg":"partition lost"/);
    expect(takenOverMs).toBeLessThan(2 * TTL + 3_000);
  });
});

import { describe, expect, it } from 'vitest';
import { CloudErrorCode, isCloudError } from './cloud-error.js';
import { SimCloud } from './sim-cloud.js';
import type { CloudEvent } from './types.js';

const G5 = 'aws:g5.xlarge';
const ZONE = 'us-east-1a';
// figures from gpu-prices.md §1, row aws g5.xlarge: od 1.006 (K), spot 0.3939 (V), 1-yr RI NU 0.6338 (§3.3, V)
const G5_OD = 1.006;
const G5_SPOT = 0.3939;
const G5_RI = 0.6338;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => undefined,
    (err: unknown) => err
  );
}

describe('sim/cloud SimCloud provisioning', () => {
  it('keeps an instance pending for node start + weights / disk bandwidth, then reports it running', async () => {
    const cloud = new SimCloud({ seed: 1, nodeStartSec: 150, diskBytesPerSec: 2e9 });
    const events: CloudEvent[] = [];
    cloud.onEvent((e) => events.push(e));
    const id = await cloud.launch(G5, 'on_demand', ZONE, { weightsBytes: 16e9 });
    const readyAt = 150 + 16e9 / 2e9;
    cloud.advanceTo(readyAt - 0.001);
    expect((await cloud.describeInstances([id]))[0]!.state).toBe('pending');
    cloud.advanceTo(readyAt);
    const [inst] = await cloud.describeInstances([id]);
    expect(inst!.state).toBe('running');
    expect(inst!.readyAtSec).toBe(readyAt);
    expect(events).toEqual([{ kind: 'instance_running', instanceId: id, atSec: readyAt }]);
  });
});

describe('sim/cloud SimCloud billing', () => {
  it('bills price × seconds from node boot for on-demand and spot, per second', async () => {
    const cloud = new SimCloud({ seed: 2, nodeStartSec: 100, spotInterruptionsPerHour: 0 });
    const od = await cloud.launch(G5, 'on_demand', ZONE);
    const spot = await cloud.launch(G5, 'spot', ZONE);
    cloud.advanceTo(100 + 5000);
    const cost = await cloud.costSoFar();
    expect(cost.byInstance[od]).toBeCloseTo((G5_OD * 5000) / 3600, 9);
    expect(cost.byInstance[spot]).toBeCloseTo((G5_SPOT * 5000) / 3600, 9);
    expect(cost.totalUsd).toBeCloseTo(((G5_OD + G5_SPOT) * 5000) / 3600, 9);
    // a started second is billed whole
    cloud.advanceTo(100 + 5000.2);
    expect((await cloud.costSoFar()).byInstance[od]).toBeCloseTo((G5_OD * 5001) / 3600, 9);
  });

  it('stops billing at termination and bills at least the minimum', async () => {
    const cloud = new SimCloud({ seed: 3, nodeStartSec: 0, minimumBilledSec: 60 });
    const long = await cloud.launch(G5, 'on_demand', ZONE);
    const short = await cloud.launch(G5, 'on_demand', ZONE);
    cloud.advanceTo(10);
    await cloud.terminate(short);
    cloud.advanceTo(7200);
    await cloud.terminate(long);
    cloud.advanceTo(20_000);
    const cost = await cloud.costSoFar();
    expect(cost.byInstance[short]).toBeCloseTo((G5_OD * 60) / 3600, 9);
    expect(cost.byInstance[long]).toBeCloseTo(G5_OD * 2, 9);
  });

  it('bills a 1-year commitment for its elapsed term share, used or not; reserved instances add nothing', async () => {
    const term = 365 * 24 * 3600;
    const cloud = new SimCloud({ seed: 4, nodeStartSec: 0 });
    await expect(cloud.launch(G5, 'reserved', ZONE)).rejects.toMatchObject({ code: CloudErrorCode.noReservation });
    const ri = await cloud.purchaseReservation(G5, 2);
    const used = await cloud.launch(G5, 'reserved', ZONE);
    cloud.advanceTo(3600);
    await cloud.terminate(used);
    cloud.advanceTo(10 * 3600);
    let cost = await cloud.costSoFar();
    expect(cost.byInstance[used]).toBe(0);
    // idle for 9 of the 10 hours, both slots billed all 10
    expect(cost.byReservation[ri]).toBeCloseTo(2 * G5_RI * 10, 9);
    expect(cost.byPurchaseOption.reserved).toBeCloseTo(2 * G5_RI * 10, 9);
    cloud.advanceTo(term + 86_400);
    cost = await cloud.costSoFar();
    expect(cost.byReservation[ri]).toBeCloseTo(2 * G5_RI * (term / 3600), 6);
    const [r] = await cloud.describeReservations();
    expect(r).toMatchObject({ id: ri, count: 2, inUse: 0, endSec: term });
    await expect(cloud.launch(G5, 'reserved', ZONE)).rejects.toMatchObject({ code: CloudErrorCode.noReservation });
  });
});

describe('sim/cloud SimCloud spot interruptions', () => {
  it('sends the notice 120 s before termination and stops billing at termination', async () => {
    const cloud = new SimCloud({ seed: 5, nodeStartSec: 0, spotInterruptionsPerHour: 2 });
    const id = await cloud.launch(G5, 'spot', ZONE);
    const events = cloud.advanceTo(100 * 3600);
    const notice = events.find((e) => e.kind === 'spot_interruption_notice');
    const ended = events.find((e) => e.kind === 'instance_terminated');
    expect(notice).toBeDefined();
    expect(ended).toMatchObject({ instanceId: id, reason: 'spot_interruption' });
    expect(ended!.atSec - notice!.atSec).toBe(120);
    expect(notice).toMatchObject({ terminateAtSec: ended!.atSec });
    const [inst] = await cloud.describeInstances([id]);
    expect(inst).toMatchObject({
      state: 'terminated',
      terminatedAtSec: ended!.atSec,
      interruptionNoticeAtSec: notice!.atSec,
    });
    const billed = Math.max(60, Math.ceil(ended!.atSec));
    expect(inst!.costUsd).toBeCloseTo((G5_SPOT * billed) / 3600, 9);
  });

  it('is interrupting between the notice and the reclaim', async () => {
    const cloud = new SimCloud({ seed: 6, nodeStartSec: 0, spotInterruptionsPerHour: 2 });
    const id = await cloud.launch(G5, 'spot', ZONE);
    let notice: CloudEvent | undefined;
    cloud.onEvent((e) => {
      if (e.kind === 'spot_interruption_notice') notice = e;
    });
    for (let t = 60; !notice; t += 60) cloud.advanceTo(t);
    cloud.advanceTo(notice.atSec + 119);
    expect((await cloud.describeInstances([id]))[0]!.state).toBe('interrupting');
    cloud.advanceTo(notice.atSec + 120);
    expect((await cloud.describeInstances([id]))[0]!.state).toBe('terminated');
  });

  async function noticeTimes(seed: number): Promise<number[]> {
    const cloud = new SimCloud({ seed, nodeStartSec: 0, spotInterruptionsPerHour: 0.5 });
    for (let i = 0; i < 20; i++) await cloud.launch(G5, 'spot', ZONE);
    cloud.advanceTo(1000 * 3600);
    return (await cloud.describeInstances()).map((d) => d.interruptionNoticeAtSec!);
  }

  it('draws the same interruption schedule for a seed and another for another seed', async () => {
    const a = await noticeTimes(11);
    expect(a.every((t) => Number.isFinite(t))).toBe(true);
    expect(await noticeTimes(11)).toEqual(a);
    expect(await noticeTimes(12)).not.toEqual(a);
  });

  it('interrupts at the configured hourly rate (mean time to notice = 1 / rate)', async () => {
    const rate = 0.5;
    const cloud = new SimCloud({ seed: 13, nodeStartSec: 0, spotInterruptionsPerHour: rate });
    const n = 4000;
    for (let i = 0; i < n; i++) await cloud.launch(G5, 'spot', ZONE);
    cloud.advanceTo(10_000 * 3600);
    const times = (await cloud.describeInstances()).map((d) => d.interruptionNoticeAtSec! / 3600);
    const mean = times.reduce((s, t) => s + t, 0) / n;
    // exponential: sd of the mean = (1/rate)/sqrt(n) ≈ 0.032 h; allow ~4.5 sd
    expect(mean).toBeGreaterThan(1 / rate - 0.15);
    expect(mean).toBeLessThan(1 / rate + 0.15);
  });
});

describe('sim/cloud SimCloud capacity and errors', () => {
  it('refuses a spot launch beyond the zone capacity with a retryable typed error', async () => {
    const cloud = new SimCloud({ seed: 7, spotCapacity: { [G5]: { [ZONE]: 1 } }, spotInterruptionsPerHour: 0 });
    const first = await cloud.launch(G5, 'spot', ZONE);
    const err = await rejection(cloud.launch(G5, 'spot', ZONE));
    expect(isCloudError(err, CloudErrorCode.capacityUnavailable)).toBe(true);
    expect(err).toMatchObject({ retryable: true, details: { instanceType: G5, zone: ZONE } });
    // other zones and on-demand are unaffected; freeing the slot lets spot in again
    await expect(cloud.launch(G5, 'spot', 'us-east-1b')).resolves.toMatch(/^i-/);
    await expect(cloud.launch(G5, 'on_demand', ZONE)).resolves.toMatch(/^i-/);
    await cloud.terminate(first);
    await expect(cloud.launch(G5, 'spot', ZONE)).resolves.toMatch(/^i-/);
  });

  it('refuses spot launches when capacity is drawn unavailable', async () => {
    const cloud = new SimCloud({ seed: 8, spotUnavailableProbability: 1 });
    await expect(cloud.launch(G5, 'spot', ZONE)).rejects.toMatchObject({ code: CloudErrorCode.capacityUnavailable });
  });

  it('names the bad argument', async () => {
    const cloud = new SimCloud({ seed: 9 });
    await expect(cloud.launch('aws:nope', 'on_demand', ZONE)).rejects.toMatchObject({
      code: CloudErrorCode.unknownInstanceType,
    });
    await expect(cloud.launch(G5, 'on_demand', 'eu-west-1a')).rejects.toMatchObject({
      code: CloudErrorCode.unknownZone,
    });
    await expect(cloud.launch('lambda:gpu_1x_h100_sxm5', 'spot', 'us-east-1')).rejects.toMatchObject({
      code: CloudErrorCode.optionNotOffered,
    });
    await expect(cloud.launch(G5, 'on_demand', ZONE, { weightsBytes: -1 })).rejects.toThrow(/weightsBytes/);
    await expect(cloud.terminate('i-unknown')).rejects.toMatchObject({ code: CloudErrorCode.unknownInstance });
    cloud.advanceTo(10);
    expect(() => cloud.advanceTo(5)).toThrow(/tSec must be >= now/);
  });
});

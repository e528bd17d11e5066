import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createRng } from '../../sim/index.js';
import { check } from '../../testkit/index.js';
import { formatTable, type FaultRow } from './chaos-table.js';
import { checkLogs, type Violation } from './check-logs.js';
import { FAULT_KINDS, inject, type FaultContext, type FaultKind, type FaultTimings } from './faults.js';
import { CommandLoad } from './load.js';
import { loadInput } from './load-input.js';
import { probeRecovery } from './recovery.js';
import { ChaosRig, EDGE_NODE } from './rig.js';

export interface ChaosOptions {
  /** Faults start until this many seconds passed; every kind is injected at least once. */
  seconds: number;
  seed: number;
  /** Plain actor hosts; one more runs with an injected clock for the clock jump. */
  hosts?: number;
  supervisors?: number;
  ingests?: number;
  partitions?: number;
  leaseTtlMs?: number;
  /** Telemetry messages per second from the publisher. */
  rate?: number;
  workloads?: number;
  actionsPerSec?: number;
  proposalsPerSec?: number;
  timings?: Partial<FaultTimings>;
  /** How long one fault's recovery probe may take before it counts as not recovered. */
  recoveryLimitMs?: number;
  /** Where the logs go; a temp dir by default (kept, so a failure can be read). */
  dir?: string;
  progress?: (line: string) => void;
}

export interface ChaosResult {
  dir: string;
  actions: string[];
  rows: FaultRow[];
  table: string;
  /** Violations the checks after each fault found (the final checker's are in its output). */
  faultViolations: Violation[];
  checkerExit: number | null;
  checkerOutput: string;
}

const ARRIVAL = new Set(['lost', 'action-lost', 'proposal-unresolved', 'telemetry-missing']);

/**
 * One chaos run over every process kind: a 3-node NATS cluster, PostgreSQL, ClickHouse,
 * supervisors, actor hosts (one with an injected clock), ingest processes and a gpu-edge with
 * its sim engine, under steady telemetry, actions and proposals. Fault kinds come in seeded
 * random order, one at a time: inject, hold, lift, time the recovery, then check everything
 * acknowledged before the fault; at the end the independent checker process judges all logs
 * and ClickHouse.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosResult> {
  const say = o.progress ?? ((): void => undefined);
  const ttl = o.leaseTtlMs ?? 4_000;
  const P = o.partitions ?? 8;
  const hosts = o.hosts ?? 2;
  const timings: FaultTimings = {
    stopMs: Math.round(1.5 * ttl),
    deadMs: Math.round(ttl / 2),
    natsDownMs: 3_000,
    clickhouseOutageMs: 30_000,
    clockJumpMs: 3 * ttl,
    clockHoldMs: 2 * ttl,
    ...o.timings,
  };
  const rng = createRng(o.seed);
  const actions: string[] = [];
  const t0 = Date.now();
  const note = (s: string): void => {
    const line = `+${((Date.now() - t0) / 1000).toFixed(1)}s ${s}`;
    actions.push(line);
    say(line);
  };

  await using rig = new ChaosRig({ partitions: P, leaseTtlMs: ttl, say, full: true, ...(o.dir ? { dir: o.dir } : {}) });
  say(`chaos: logs in ${rig.dir}; P=${P}, ttl ${ttl} ms, seed ${o.seed}`);
  await rig.start();
  for (let i = 1; i < (o.supervisors ?? 2); i++) rig.spawn('supervisor');
  for (let i = 0; i < hosts; i++) rig.spawn('host');
  const skewFile = join(rig.dir, 'clock-skew');
  const skewed = { proc: rig.spawn('host', { skewFile }), file: skewFile };
  await rig.settled(hosts + 1, 240_000);
  // started after the hosts settled: on two busy cores a dozen cold starts at once starve the leases
  for (let i = 0; i < (o.ingests ?? 2); i++) rig.spawn('ingest');
  rig.spawn('edge');
  await check(
    () =>
      rig.bus.nc
        .request(`oi.v1.edge.${EDGE_NODE}.status`, '', { timeout: 1_000 })
        .then((m) => /"healthy"/.test(m.string()) || undefined)
        .catch(() => undefined),
    240_000,
    { name: 'gpu-edge serving with a healthy engine', intervalMs: 250 }
  );
  const publisher = await rig.startPublisher(o.rate ?? 50, o.workloads ?? 16);
  const load = new CommandLoad({
    bus: rig.bus,
    dir: rig.dir,
    partitions: P,
    actionsPerSec: o.actionsPerSec ?? 2,
    proposalsPerSec: o.proposalsPerSec ?? 1,
  });
  load.start();
  const limitMs = o.recoveryLimitMs ?? 120_000;
  const warm = await probeRecovery(rig, load, limitMs);
  if (warm.ms === undefined)
    throw new Error(`the pipeline never came through before any fault: ${warm.missing.join(', ')}`);
  say(`chaos: traffic flowing (first probe through in ${warm.ms} ms); faults start`);

  const rows = new Map<FaultKind, FaultRow>(
    FAULT_KINDS.map((kind) => [kind, { kind, injected: 0, checked: 0, violations: 0, recoveryMs: [], unrecovered: 0 }])
  );
  const seen = new Set<string>();
  const faultViolations: Violation[] = [];
  const ctx: FaultContext = { rig, timings, skewed, note };
  const end = t0 + o.seconds * 1_000;
  for (let round = 1; round === 1 || Date.now() < end; round++) {
    const order = [...FAULT_KINDS];
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [order[i], order[j]] = [order[j]!, order[i]!];
    }
    for (const kind of order) {
      if (round > 1 && Date.now() >= end) break;
      const row = rows.get(kind)!;
      const at = Date.now();
      const hit = await inject(kind, ctx);
      row.injected++;
      const rec = await probeRecovery(rig, load, limitMs);
      const liftedMs = rec.ms; // the probe starts as the fault is lifted
      if (liftedMs === undefined) {
        row.unrecovered++;
        note(`${kind}: NOT recovered within ${limitMs} ms (missing: ${rec.missing.join(', ')})`);
      } else {
        row.recoveryMs.push(liftedMs);
        note(`${kind} (${hit.detail}): recovered in ${liftedMs} ms`);
      }
      // everything acknowledged before the fault must have arrived; safety holds for all of it
      const { checked, violations } = await checkBefore(rig, at, 60_000);
      row.checked += checked;
      for (const v of violations) {
        if (seen.has(v.detail)) continue;
        seen.add(v.detail);
        row.violations++;
        faultViolations.push(v);
        note(`VIOLATION after ${kind}: ${v.kind}: ${v.detail}`);
      }
    }
    say(`chaos: round ${round} done, ${Math.max(0, Math.round((end - Date.now()) / 1000))} s left`);
  }

  note('chaos over; stopping the load and waiting for every message to be processed');
  await load.stop();
  await publisher.stop(15_000);
  say(`chaos: publisher ${/acked \d+ retried \d+/.exec(publisher.getLog())?.[0] ?? 'exited'}`);
  await rig.drained(120_000, async () => arrivals(checkLogs(await loadInput(rig.dir, rig.ch)).violations) === 0);
  const checked = await rig.finish();
  say(checked.output.trim());
  const counts = /checked: (\d+) acknowledged messages.*?(\d+) actions with.*?(\d+) proposals with/.exec(
    checked.output
  );
  const finalChecked = counts ? Number(counts[1]) + Number(counts[2]) + Number(counts[3]) : 0;
  const finalViolations = Number(
    /FAILED: (.*)/
      .exec(checked.output)?.[1]
      ?.match(/\d+/g)
      ?.reduce((a, b) => a + Number(b), 0) ?? 0
  );
  const table = formatTable([...rows.values()], { checked: finalChecked, violations: finalViolations });
  say(table);
  return {
    dir: rig.dir,
    actions,
    rows: [...rows.values()],
    table,
    faultViolations,
    checkerExit: checked.code,
    checkerOutput: checked.output,
  };
}

const arrivals = (vs: Violation[]): number => vs.filter((v) => ARRIVAL.has(v.kind)).length;

/** Waits until everything acknowledged before `before` arrived, then returns what is still wrong. */
async function checkBefore(
  rig: ChaosRig,
  before: number,
  timeoutMs: number
): Promise<{ checked: number; violations: Violation[] }> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const input = await loadInput(rig.dir, rig.ch).catch(() => undefined);
    if (input) {
      const r = checkLogs({ ...input, before });
      const due = (t: number | undefined): boolean => (t ?? 0) < before;
      const checked =
        input.published.filter((p) => due(p.t)).length +
        (input.actions ?? []).filter((a) => due(a.t)).length +
        (input.proposals ?? []).filter((p) => due(p.t)).length;
      if (arrivals(r.violations) === 0 || Date.now() >= until) return { checked, violations: r.violations };
    } else if (Date.now() >= until) {
      return {
        checked: 0,
        violations: [{ kind: 'telemetry-missing', detail: 'ClickHouse unreadable after the fault' }],
      };
    }
    await sleep(1_000);
  }
}

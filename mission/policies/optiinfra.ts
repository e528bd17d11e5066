import { setTimeout as sleep } from 'node:timers/promises';
import type { Subscription } from '@nats-io/nats-core';
import { request } from '../../bus/index.js';
import {
  STREAMS,
  actionResultV1,
  decisionV1,
  decisionV2,
  decodeEnvelope,
  proposalV1,
  registerWorkloadV1,
  subjects,
  type ActionResult,
  type Decision,
  type Proposal,
} from '../../schemas/index.js';
import { fleetBus, serveFleet, type FleetBus, type FleetInterval, type FleetServices } from '../../sim/index.js';
import type { FleetSim } from '../../sim/index.js';
import type { MissionContext, Policy, PolicyEntry, PolicyReport, ReplicaPlan } from '../policy.js';
import { startOptiInfraSystem, type OptiInfraSystem } from './optiinfra-system.js';
import { openingSize } from './sizing.js';

const PARTITIONS = 2;
/** How long a boundary waits for the supervisor and the executor to take what the agents sent. */
const SETTLE_MS = 3_000;

/** What the system said on the bus during one replay. */
export interface OptiInfraCounts {
  proposals: number;
  /** Every ruling of the supervisor, whatever its verdict. */
  decisions: number;
  approved: number;
  /** Rulings that settled a conflict: pre-empted proposals and those that lost to another. */
  conflicts: number;
  /** Agent rollback proposals approved plus executions the executor rolled back. */
  rollbacks: number;
  executed: number;
}

/**
 * OptiInfra as it runs in production, on the simulated fleet: the supervisor, an agent host with
 * the four agents and the cloud executor are real processes on their own nats-server, PostgreSQL
 * and ClickHouse; the workload is registered in mode `auto`. The fleet publishes gpu-edge
 * telemetry on NATS on the lockstep clock and serves the cloud-provider and edge action protocols,
 * so every change comes from an approved decision carried out by the executor (or an edge action).
 * The agents see the telemetry, the provider's prices and the workload's registration; nothing here
 * calls `FleetControl`. Not deterministic for a seed: when a decision lands depends on the processes.
 */
export class OptiInfraPolicy implements Policy {
  readonly name = 'optiinfra';
  readonly counts: OptiInfraCounts = {
    proposals: 0,
    decisions: 0,
    approved: 0,
    conflicts: 0,
    rollbacks: 0,
    executed: 0,
  };
  /** Proposals, rulings and executions as they came, in event time. */
  readonly log: string[] = [];
  #system: OptiInfraSystem | undefined;
  #services: FleetServices | undefined;
  #carrier: FleetBus | undefined;
  readonly #subs: Subscription[] = [];
  /** Lockstep ticks and their wall time (the first tick waits for the hosts to take their partitions). */
  #clock = { ticks: 0, ticksPerSec: 0 };
  #firstTickDoneMs = 0;

  constructor(
    readonly ctx: MissionContext,
    readonly opening: ReplicaPlan[]
  ) {}

  initialFleet(): ReplicaPlan[] {
    return this.opening;
  }

  async attach(sim: FleetSim): Promise<void> {
    const { config } = this.ctx;
    const workload = sim.spec.workload;
    this.#system = await startOptiInfraSystem({
      partitions: PARTITIONS,
      hosts: 1,
      intervalMs: config.telemetryIntervalSec * 1000,
      name: `mission_${this.ctx.trace.spec.name}`,
    });
    const { bus } = this.#system;
    await request(
      bus.nc,
      subjects.cmd('workload', 'register'),
      registerWorkloadV1,
      {
        workload,
        name: `${this.ctx.trace.spec.name} replay`,
        model: config.model,
        engine: 'sim',
        mode: 'auto',
        slo: { ttft_p95_ms: config.slo.ttftSec * 1000, tpot_mean_ms: config.slo.tpotSec * 1000, attainment: 0.99 },
        constraints: {
          allowed_instance_types: [...config.allowed.instanceTypes],
          spot_allowed: config.allowed.purchaseOptions.includes('spot'),
        },
      },
      { source: 'mission', caller: 'mission' }
    );
    const at = (ts: string): string => `t=${((Date.parse(ts) - Date.parse(sim.spec.start)) / 1000).toFixed(0)}s`;
    const act = (a: Decision['action']): string => `${a.kind} ${JSON.stringify(a).slice(0, 160)}`;
    this.#count(bus.nc.subscribe(subjects.dec(workload)), (data) => {
      const d = decodeEnvelope(data, [decisionV1, decisionV2]);
      if (!d.ok) return;
      const dec = d.envelope.data as Decision;
      this.log.push(`${at(d.envelope.ts)} decision ${dec.proposal_id}: ${dec.verdict} (${dec.reason.slice(0, 200)})`);
      this.counts.decisions++;
      if (dec.verdict === 'approved') {
        this.counts.approved++;
        if (dec.proposal_id.endsWith('.rb')) this.counts.rollbacks++;
      }
      if (dec.verdict === 'preempted' || dec.reason.startsWith('lost to')) this.counts.conflicts++;
    });
    this.#count(bus.nc.subscribe(`oi.v1.rec.*.${workload}`), (data) => {
      const d = decodeEnvelope(data, [proposalV1]);
      if (!d.ok) return;
      const p = d.envelope.data as Proposal;
      this.counts.proposals++;
      this.log.push(`${at(d.envelope.ts)} proposal ${p.proposal_id} by ${p.agent}: ${act(p.action)}`);
    });
    this.#count(bus.nc.subscribe(subjects.evt('executor', 'action_result', workload)), (data) => {
      const d = decodeEnvelope(data, [actionResultV1]);
      if (!d.ok) return;
      const r = d.envelope.data as ActionResult;
      this.log.push(`${at(d.envelope.ts)} execution ${r.decision_id}: ${r.status} (${r.detail.slice(0, 200)})`);
      if (r.status === 'succeeded') this.counts.executed++;
      if (r.status === 'rolled_back') this.counts.rollbacks++;
    });
    this.#services = await serveFleet(sim, { bus, partitions: PARTITIONS });
    this.#carrier = fleetBus(sim.spec, { bus, partitions: PARTITIONS, lockstep: true, ackTimeoutMs: 180_000 });
  }

  async onInterval(i: FleetInterval): Promise<void> {
    if (!this.#carrier || !this.#system) throw new Error('optiinfra: onInterval before attach');
    try {
      await this.#carrier.onInterval(i);
    } catch (err) {
      throw new Error(`optiinfra at t=${i.tSec} s: ${(err as Error).message}\n${this.#system.logs()}`, { cause: err });
    }
    await this.#settle();
    const now = performance.now();
    if (this.#clock.ticks++ === 0) this.#firstTickDoneMs = now;
    else this.#clock.ticksPerSec = (this.#clock.ticks - 1) / ((now - this.#firstTickDoneMs) / 1000);
  }

  report(): PolicyReport {
    return {
      conflicts: this.counts.conflicts,
      rollbacks: this.counts.rollbacks,
      decisions: this.counts.decisions,
      extras: { ...this.counts, ...this.#clock },
      log: [...this.log],
    };
  }

  async detach(): Promise<void> {
    this.#carrier?.close();
    for (const s of this.#subs) s.unsubscribe();
    await this.#services?.stop().catch(() => undefined);
    await this.#system?.stop();
    this.#carrier = undefined;
    this.#services = undefined;
    this.#system = undefined;
  }

  /** Proposals taken by the supervisor and decisions by the executor before the fleet moves on. */
  async #settle(): Promise<void> {
    const { bus } = this.#system!;
    const deadline = Date.now() + SETTLE_MS;
    for (;;) {
      let pending = 0;
      for (const stream of [STREAMS.rec, STREAMS.dec]) {
        for await (const c of bus.jsm.consumers.list(stream)) pending += c.num_pending;
      }
      if (pending === 0 || Date.now() > deadline) return;
      await sleep(5);
    }
  }

  #count(sub: Subscription, on: (data: Uint8Array) => void): void {
    this.#subs.push(sub);
    void (async () => {
      for await (const m of sub) on(m.data);
    })();
  }
}

/** The mission's OptiInfra entry: opens with the baseline replicas the trace's first minute needs. */
export const optiinfra: PolicyEntry = {
  name: 'optiinfra',
  create: (ctx) => {
    const n = openingSize(ctx, 1, 64);
    const plan = { instanceType: ctx.baseline.instanceType, purchaseOption: ctx.baseline.purchaseOption };
    return new OptiInfraPolicy(
      ctx,
      Array.from({ length: n }, () => ({ ...plan }))
    );
  },
};

import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { makeEnvelope, newId, publishEnvelope, type Bus } from '../../bus/index.js';
import { EPOCH_HEADER, PARTITION_HEADER } from '../../actors/index.js';
import {
  actionV1,
  exampleOf,
  gpuTelemetryV1,
  KV_BUCKETS,
  partitionOf,
  proposalV1,
  subjects,
  type Envelope,
} from '../../schemas/index.js';
import { partitionKey } from '../../supervisor/index.js';
import { JsonlWriter } from './jsonl-writer.js';
import { EDGE_NODE, EDGE_WORKLOAD } from './rig.js';

/** Publishes until the stream acknowledges (same envelope, same Nats-Msg-Id), as a retrying sender does. */
async function deliver(bus: Bus, subject: string, env: Envelope, headers?: Record<string, string>): Promise<number> {
  for (;;) {
    try {
      return (await publishEnvelope(bus.js, subject, env, headers ? { headers } : {})).seq;
    } catch {
      await sleep(500);
    }
  }
}

export interface LoadOptions {
  bus: Bus;
  dir: string;
  partitions: number;
  /** Actions per second to the gpu-edge, proposals per second to the supervisor. */
  actionsPerSec: number;
  proposalsPerSec: number;
}

/**
 * The command side of the steady load, sent by the driver as an executor and agents would:
 * `engine.status` actions to the gpu-edge under a fencing epoch that rises every 20 actions,
 * with every 15th sent under the previous epoch (must be refused) and every 10th repeating the
 * last decision under a new action id (must not run again); and proposals to the supervisor
 * stamped with their partition's current lease epoch. Each is logged once acknowledged.
 */
export class CommandLoad {
  readonly #o: LoadOptions;
  readonly #actions: JsonlWriter;
  readonly #proposals: JsonlWriter;
  #stopping = false;
  #loops: Promise<void>[] = [];
  #epoch = 1;
  #n = 0;
  #lastDecision: string | undefined;

  constructor(o: LoadOptions) {
    this.#o = o;
    this.#actions = new JsonlWriter(join(o.dir, 'actions.jsonl'));
    this.#proposals = new JsonlWriter(join(o.dir, 'proposals.jsonl'));
  }

  start(): void {
    this.#loops = [
      this.#every(1_000 / this.#o.actionsPerSec, () => this.sendAction()),
      this.#every(1_000 / this.#o.proposalsPerSec, () => this.sendProposal()),
    ];
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await Promise.all(this.#loops);
    this.#actions.close();
    this.#proposals.close();
  }

  get counts(): { actions: number; proposals: number } {
    return { actions: this.#actions.lines, proposals: this.#proposals.lines };
  }

  async #every(ms: number, fn: () => Promise<unknown>): Promise<void> {
    while (!this.#stopping) {
      const t = performance.now();
      await fn();
      await sleep(Math.max(0, ms - (performance.now() - t)));
    }
  }

  /** One action; returns its id (a recovery probe waits for its result). */
  async sendAction(): Promise<string> {
    const n = ++this.#n;
    if (n % 20 === 0) this.#epoch++;
    const stale = n % 15 === 0 && n % 20 !== 0 && this.#epoch > 1;
    const repeat = !stale && n % 10 === 0 && this.#lastDecision !== undefined;
    const decision = repeat ? this.#lastDecision! : `dec-${newId()}`;
    const epoch = stale ? this.#epoch - 1 : this.#epoch;
    const action = `act-${newId()}`;
    const env = makeEnvelope(
      actionV1,
      {
        action_id: action,
        decision_id: decision,
        node: EDGE_NODE,
        workload: EDGE_WORKLOAD,
        verb: 'engine.status',
        params: {},
        epoch,
        deadline: new Date(Date.now() + 3_600_000).toISOString(),
      },
      { source: 'chaos-executor' }
    );
    const seq = await deliver(this.#o.bus, subjects.act(EDGE_NODE, 'engine.status'), env);
    this.#actions.write({
      action,
      decision,
      epoch,
      seq,
      t: Date.now(),
      ...(stale ? { stale } : {}),
      ...(repeat ? { repeat } : {}),
    });
    if (!stale) this.#lastDecision = decision;
    return action;
  }

  /** One proposal for one of four workloads; returns its id. */
  async sendProposal(): Promise<string> {
    const w = `wl-prop-${this.#proposals.lines % 4}`;
    const p = partitionOf(w, this.#o.partitions);
    const epoch = await this.#leaseEpoch(p);
    const id = `prop-${newId()}`;
    const env = makeEnvelope(
      proposalV1,
      {
        ...exampleOf(proposalV1),
        proposal_id: id,
        workload: w,
        target: { workload: w },
        epoch,
        expires_at: new Date(Date.now() + 60_000).toISOString(),
      },
      { source: 'chaos-agent' }
    );
    await deliver(this.#o.bus, subjects.rec('resource', w), env, {
      [EPOCH_HEADER]: String(epoch),
      [PARTITION_HEADER]: String(p),
    });
    this.#proposals.write({ id, w, t: Date.now() });
    return id;
  }

  async #leaseEpoch(p: number): Promise<number> {
    for (;;) {
      try {
        const kv = await this.#o.bus.kvm.open(KV_BUCKETS.leases);
        const e = await kv.get(partitionKey(p));
        const epoch = e?.value.length ? (e.json<{ epoch?: number }>().epoch ?? 1) : 1;
        return Math.max(1, epoch);
      } catch {
        await sleep(500); // KV unavailable while NATS elects
      }
    }
  }
}

/** A telemetry message of the marker workload (not the publisher's node), for recovery probes. */
export async function sendMarker(bus: Bus): Promise<string> {
  const env = makeEnvelope(
    gpuTelemetryV1,
    { ...exampleOf(gpuTelemetryV1), workload: 'wl-marker', node: 'marker' },
    { source: 'chaos-marker' }
  );
  await deliver(bus, subjects.tel('gpu', 'wl-marker', 'marker'), env);
  return env.id;
}

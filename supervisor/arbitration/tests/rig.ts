import {
  KV_BUCKETS,
  STREAMS,
  clockTickV1,
  partitionOf,
  proposalV1,
  registerWorkloadV1,
  setWorkloadModeV1,
  subjects,
  type Envelope,
  type MessageDef,
  type Notice,
} from '../../../schemas/index.js';
import { encodeEnvelope, makeEnvelope, publishEnvelope, request, type Bus } from '../../../bus/index.js';
import { check } from '../../../testkit/index.js';
import type { Proposal } from '../../../schemas/index.js';
import { REC_CONSUMER } from '../arbitration-term.js';
import type { OperatingMode } from '../../priority/index.js';

export const PARTITIONS = 2;

export interface Stored {
  subject: string;
  env: Envelope;
  headers: Record<string, string>;
  seq: number;
  tsMs: number;
}

/** Sends a command as `caller` and returns the reply data (throws the typed OiError). */
export async function cmd<T>(
  bus: Bus,
  subject: string,
  def: MessageDef,
  data: unknown,
  caller = 'test-operator'
): Promise<T> {
  const reply = await request(bus.nc, subject, def, data as never, { source: 'test', caller, timeoutMs: 10_000 });
  return reply.data as T;
}

/** Registers a workload, writes its capacity to oi_config and sets its mode through the supervisor. */
export async function registerWorkload(bus: Bus, workload: string, mode: OperatingMode, replicas = 10): Promise<void> {
  await cmd(bus, subjects.cmd('workload', 'register'), registerWorkloadV1, {
    workload,
    name: workload,
    model: 'meta-llama/Llama-3.1-8B-Instruct',
    constraints: { spot_allowed: true },
  });
  const kv = await bus.kvm.open(KV_BUCKETS.config);
  await kv.put(`workload.${workload}`, JSON.stringify({ v: 1, replicas, usd_per_month: 20_000 }));
  await cmd(bus, subjects.cmd('workload', 'set-mode'), setWorkloadModeV1, { workload, mode });
}

/** Publishes a proposal as a partition owner at `epoch` would (fencing headers included). */
export async function propose(bus: Bus, p: Proposal, atMs: number, epoch = 1): Promise<void> {
  const env = makeEnvelope(proposalV1, p, { source: `test-agent/${p.agent}`, ts: new Date(atMs) });
  await publishEnvelope(bus.js, subjects.rec(p.agent, p.workload), env, {
    headers: { 'Oi-Partition': String(partitionOf(p.workload, PARTITIONS)), 'Oi-Epoch': String(epoch) },
  });
}

let seq = 0;
/** A lockstep tick at event time `atMs` (core NATS, as the simulator sends it). */
export function tick(bus: Bus, atMs: number): void {
  const env = makeEnvelope(clockTickV1, { seq: ++seq, t: new Date(atMs).toISOString() }, { source: 'test-clock' });
  bus.nc.publish(subjects.clockTick, encodeEnvelope(env));
}

/** Resolves once the supervisor has handled and acked everything in OI_REC. */
export async function drained(bus: Bus): Promise<void> {
  await check(
    async () => {
      const i = await bus.jsm.consumers.info(STREAMS.rec, REC_CONSUMER);
      return i.num_pending === 0 && i.num_ack_pending === 0;
    },
    15_000,
    { name: 'OI_REC drained by the supervisor' }
  );
}

/** Every message of `stream` matching `filter`, in stream order. */
export async function readAll(bus: Bus, stream: string, filter: string): Promise<Stored[]> {
  const c = await bus.js.consumers.get(stream, { filter_subjects: [filter] });
  let left = (await c.info()).num_pending;
  const out: Stored[] = [];
  while (left > 0) {
    const iter = await c.fetch({ max_messages: left, expires: 2_000 });
    let got = 0;
    for await (const m of iter) {
      got++;
      const headers: Record<string, string> = {};
      for (const k of m.headers?.keys() ?? []) headers[k] = m.headers!.get(k);
      out.push({ subject: m.subject, env: m.json<Envelope>(), headers, seq: m.seq, tsMs: m.info.timestampNanos / 1e6 });
    }
    if (got === 0) break;
    left -= got;
  }
  return out;
}

/** Outcome events (`oi.v1.evt.priority.outcome.*`) by proposal id. */
export async function outcomes(bus: Bus): Promise<Map<string, { fate: string; reason: string }[]>> {
  const out = new Map<string, { fate: string; reason: string }[]>();
  for (const m of await readAll(bus, STREAMS.evt, 'oi.v1.evt.priority.outcome.*')) {
    const n = m.env.data as Notice;
    const id = String(n.attrs.proposal_id);
    out.set(id, [...(out.get(id) ?? []), { fate: String(n.attrs.fate), reason: n.message }]);
  }
  return out;
}

export async function waitForOutcomes(
  bus: Bus,
  ids: readonly string[],
  timeoutMs = 20_000
): Promise<Map<string, { fate: string; reason: string }[]>> {
  return check(
    async () => {
      const o = await outcomes(bus);
      return ids.every((id) => o.has(id)) ? o : undefined;
    },
    timeoutMs,
    { name: `outcomes of ${ids.length} proposals` }
  );
}

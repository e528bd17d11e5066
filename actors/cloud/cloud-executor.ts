import { setTimeout as sleep } from 'node:timers/promises';
import { AckPolicy, DeliverPolicy } from '@nats-io/jetstream';
import { consume, publish, type Bus, type ConsumeHandle } from '../../bus/index.js';
import { silentLogger, type Logger } from '../../config/index.js';
import {
  actionResultV1,
  actionV1,
  decisionV1,
  decisionV2,
  STREAMS,
  subjects,
  type ActionResult,
  type Decision,
  type Envelope,
} from '../../schemas/index.js';
import type { Postgres } from '../../stores/index.js';
import type { CloudProvider, InstanceDescription, InstanceType } from '../../sim/index.js';
import { isCapacityAction, liveInstances, planCapacity, type Plan } from './fleet-plan.js';

export const EXECUTOR_CONSUMER = 'oi-cloud-executor';

export interface CloudExecutorOptions {
  bus: Bus;
  db: Postgres;
  provider: CloudProvider;
  logger?: Logger;
  /** How long a launched replacement may take to run before the change is rolled back (wall ms). */
  readyTimeoutMs?: number;
  pollMs?: number;
}

export interface ExecutionReport {
  decisionId: string;
  status: ActionResult['status'] | 'refused' | 'skipped';
  detail: string;
}

/**
 * Carries out approved decisions on instances through the cloud-provider interface, and hands
 * engine changes to the nodes' gpu-edges (`oi.v1.act.<node>.engine.reconfigure`). Idempotent by
 * decision id (PostgreSQL `executions`), fenced by the highest epoch seen per workload, verified
 * (replacements must run before anything is terminated) and rolled back when a step fails.
 * Replicas share one durable consumer; the executions row settles a race between them.
 */
export class CloudExecutor {
  readonly #o: Required<Omit<CloudExecutorOptions, 'logger'>> & { logger: Logger };
  #handle: ConsumeHandle | undefined;
  readonly reports: ExecutionReport[] = [];

  constructor(o: CloudExecutorOptions) {
    this.#o = { readyTimeoutMs: 15 * 60_000, pollMs: 250, logger: silentLogger, ...o };
  }

  async start(): Promise<void> {
    const { jsm } = this.#o.bus;
    const have = await jsm.consumers.info(STREAMS.dec, EXECUTOR_CONSUMER).catch(() => undefined);
    if (!have) {
      await jsm.consumers.add(STREAMS.dec, {
        durable_name: EXECUTOR_CONSUMER,
        filter_subject: 'oi.v1.dec.>',
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        // a replacement may take minutes to boot: the ack waits for it
        ack_wait: Math.max(60_000, this.#o.readyTimeoutMs + 60_000) * 1_000_000,
        max_ack_pending: 64,
      });
    }
    this.#handle = await consume<Decision>(this.#o.bus.js, {
      stream: STREAMS.dec,
      consumer: EXECUTOR_CONSUMER,
      accept: [decisionV1, decisionV2],
      source: 'oi-cloud-executor',
      logger: this.#o.logger,
      handler: async (env, ctx) => {
        // v2 says it in the body; v1 in the Oi-Execute header
        const v2 = env.schema === decisionV2.id ? (env.data as Decision & { execute?: boolean }).execute : undefined;
        const execute = v2 ?? ctx.msg.headers?.get('Oi-Execute') !== 'false';
        const report = await this.handle(env, execute);
        this.reports.push(report);
      },
    });
  }

  async stop(): Promise<void> {
    await this.#handle?.stop();
  }

  /** One decision, start to end; exported for tests that drive it without the consumer. */
  async handle(env: Envelope<Decision>, execute: boolean): Promise<ExecutionReport> {
    const d = env.data;
    const skip = (detail: string): ExecutionReport => ({ decisionId: d.decision_id, status: 'skipped', detail });
    if (d.verdict !== 'approved') return skip(`verdict ${d.verdict}`);
    if (!execute) return skip(`mode ${d.mode}: recorded, not executed`);
    const { db } = this.#o;
    const fence = await db.query<{ epoch: string }>(
      `INSERT INTO executor_fences (workload, epoch) VALUES ($1, $2)
       ON CONFLICT (workload) DO UPDATE SET epoch = GREATEST(executor_fences.epoch, EXCLUDED.epoch)
       RETURNING epoch`,
      [d.workload, d.epoch]
    );
    const highest = Number(fence.rows[0]!.epoch);
    const claimed = await db.query<{ status: string }>(
      `INSERT INTO executions (decision_id, proposal_id, workload, epoch, action, status)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (decision_id) DO NOTHING RETURNING status`,
      [
        d.decision_id,
        d.proposal_id,
        d.workload,
        d.epoch,
        JSON.stringify(d.action),
        highest > d.epoch ? 'refused' : 'running',
      ]
    );
    if (!claimed.rowCount) {
      const prior = await db.query<{ status: string; detail: string }>(
        'SELECT status, detail FROM executions WHERE decision_id = $1',
        [d.decision_id]
      );
      const row = prior.rows[0]!;
      if (row.status !== 'running') return skip(`already ${row.status}: ${row.detail}`);
      // a previous owner died mid-way: the plan is recomputed from the instances as they are now
    } else if (highest > d.epoch) {
      const detail = `refused: decision epoch ${d.epoch} is older than ${highest} already seen for ${d.workload}`;
      await this.#finish(d, 'refused', detail);
      return { decisionId: d.decision_id, status: 'refused', detail };
    }
    try {
      const r = isCapacityAction(d.action) ? await this.#capacity(d) : await this.#engine(d);
      await this.#finish(d, r.status, r.detail);
      return { decisionId: d.decision_id, status: r.status, detail: r.detail };
    } catch (err) {
      const detail = `failed: ${(err as Error).message}`;
      await this.#finish(d, 'failed', detail);
      await this.#result(d, 'failed', detail);
      return { decisionId: d.decision_id, status: 'failed', detail };
    }
  }

  async #capacity(d: Decision): Promise<{ status: ActionResult['status']; detail: string }> {
    const { provider } = this.#o;
    const types = new Map<string, InstanceType>((await provider.listInstanceTypes()).map((t) => [t.id, t]));
    const before = await provider.describeInstances();
    const usdBefore = usdPerHour(liveInstances(before), types);
    const plan: Plan = planCapacity(d.action, before, types);
    const launched: string[] = [];
    try {
      for (const l of plan.launches) {
        const id = await provider.launch(l.instanceType, l.purchaseOption, l.zone);
        launched.push(id);
        await this.#o.db.query('UPDATE executions SET launched = array_append(launched, $2) WHERE decision_id = $1', [
          d.decision_id,
          id,
        ]);
      }
      if (launched.length) await this.#waitRunning(launched);
    } catch (err) {
      // roll back: nothing old was touched yet, so removing what this decision launched restores the fleet
      for (const id of launched) await provider.terminate(id).catch(() => undefined);
      const detail = `rolled back (${plan.summary}): ${(err as Error).message}; terminated ${launched.length} new instance(s)`;
      await this.#result(d, 'rolled_back', detail, usdBefore, usdBefore);
      return { status: 'rolled_back', detail };
    }
    for (const t of plan.terminations) {
      await provider.terminate(t.instanceId);
      await this.#o.db.query('UPDATE executions SET terminated = array_append(terminated, $2) WHERE decision_id = $1', [
        d.decision_id,
        t.instanceId,
      ]);
    }
    const after = liveInstances(await provider.describeInstances());
    const usdAfter = usdPerHour(after, types);
    const detail = `${plan.summary}; ${after.length} live instance(s), $${usdBefore.toFixed(3)}/h → $${usdAfter.toFixed(3)}/h`;
    await this.#result(d, 'succeeded', detail, usdBefore, usdAfter);
    return { status: 'succeeded', detail };
  }

  async #waitRunning(ids: string[]): Promise<void> {
    const deadline = Date.now() + this.#o.readyTimeoutMs;
    for (;;) {
      const ds = await this.#o.provider.describeInstances(ids);
      const dead = ds.filter((i) => i.state === 'terminated' || i.state === 'interrupting');
      if (dead.length) throw new Error(`replacement ${dead[0]!.id} ended ${dead[0]!.state} before serving`);
      if (ds.length === ids.length && ds.every((i) => i.state === 'running')) return;
      if (Date.now() > deadline) {
        throw new Error(
          `replacements not running after ${this.#o.readyTimeoutMs} ms: ${ds.map((i) => `${i.id} ${i.state}`).join(', ')}`
        );
      }
      await sleep(this.#o.pollMs);
    }
  }

  /** Engine changes go to the nodes the proposal targeted, as fenced edge actions. */
  async #engine(d: Decision): Promise<{ status: ActionResult['status']; detail: string }> {
    const r = await this.#o.db.query<{ payload: { target?: { nodes?: string[] } } }>(
      'SELECT payload FROM proposals WHERE proposal_id = $1',
      [d.proposal_id]
    );
    const nodes = r.rows[0]?.payload.target?.nodes ?? [];
    if (!nodes.length) {
      const detail = `refused: ${d.action.kind} needs the proposal to name target nodes`;
      await this.#result(d, 'failed', detail);
      return { status: 'failed', detail };
    }
    for (const node of nodes) {
      await publish(
        this.#o.bus.js,
        subjects.act(node, 'engine.reconfigure'),
        actionV1,
        {
          action_id: `${d.decision_id}.${node}`,
          decision_id: d.decision_id,
          node,
          workload: d.workload,
          verb: 'engine.reconfigure',
          params: { action: d.action },
          epoch: d.epoch,
          deadline: new Date(Date.now() + 3_600_000).toISOString(),
        },
        { source: 'oi-cloud-executor', id: `act-${d.decision_id}.${node}`.slice(0, 128) }
      );
    }
    const detail = `sent engine.reconfigure to ${nodes.join(', ')}; the edges verify and report`;
    return { status: 'succeeded', detail };
  }

  async #finish(d: Decision, status: string, detail: string): Promise<void> {
    await this.#o.db.query(
      'UPDATE executions SET status = $2, detail = $3, finished_at = now() WHERE decision_id = $1',
      [d.decision_id, status, detail.slice(0, 4000)]
    );
  }

  async #result(
    d: Decision,
    status: ActionResult['status'],
    detail: string,
    before?: number,
    after?: number
  ): Promise<void> {
    await publish(
      this.#o.bus.js,
      subjects.evt('executor', 'action_result', d.workload),
      actionResultV1,
      {
        action_id: `${d.decision_id}.cloud`.slice(0, 128),
        decision_id: d.decision_id,
        node: 'cloud',
        workload: d.workload,
        status,
        detail: detail.slice(0, 4000),
        ...(before !== undefined ? { metrics_before: { usd_per_hour: before } } : {}),
        ...(after !== undefined ? { metrics_after: { usd_per_hour: after } } : {}),
      },
      { source: 'oi-cloud-executor', id: `res-${d.decision_id}`.slice(0, 128) }
    );
  }
}

function usdPerHour(live: readonly InstanceDescription[], types: ReadonlyMap<string, InstanceType>): number {
  return live.reduce((a, i) => a + (types.get(i.instanceType)?.prices[i.purchaseOption]?.usdPerHour ?? 0), 0);
}

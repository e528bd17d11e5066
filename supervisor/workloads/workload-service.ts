import type { Service } from '@nats-io/services';
import {
  getWorkloadV1,
  listWorkloadsV1,
  recordV1ToV2,
  registerV2ToV1Spec,
  registerWorkloadV1,
  registerWorkloadV2,
  subjects,
  updateWorkloadV1,
  workloadPageV1,
  workloadRecordV1,
  workloadRecordV2,
  workloadRegisteredV1,
  workloadSpec,
  workloadUpdatedV1,
  type DataOf,
  type Envelope,
  type WorkloadRecord,
  type WorkloadSpec,
} from '../../schemas/index.js';
import { OiError, makeEnvelope, serveCommands, type Bus, type CommandContext } from '../../bus/index.js';
import type { Postgres, PoolClient } from '../../stores/index.js';
import { silentLogger, type Logger } from '../../config/index.js';
import { audit, priorReply, recordCommand } from './command-log.js';
import { enqueueEvent, startOutboxSweeper } from './outbox.js';
import { findWorkload, insertWorkload, listWorkloads, updateWorkload } from './workload-repo.js';

export const WORKLOAD_SERVICE = 'oi-workload';

export interface WorkloadServiceOptions {
  bus: Bus;
  db: Postgres;
  logger?: Logger;
  /** How often pending events are retried (they normally go out right after commit). */
  outboxIntervalMs?: number;
}

export interface WorkloadService {
  service: Service;
  stop(): Promise<void>;
}

type Outcome = { ok: true; record: WorkloadRecord } | { ok: false; error: OiError };

/**
 * Workload commands (`oi.v1.cmd.workload.*`, and `register` also as v2): each accepted command
 * is stored with its effect in one PostgreSQL transaction, idempotent on the envelope id; its
 * event leaves through the outbox.
 */
export async function startWorkloadService(opts: WorkloadServiceOptions): Promise<WorkloadService> {
  const { bus, db } = opts;
  const logger = opts.logger ?? silentLogger;
  const sweeper = startOutboxSweeper(db, bus, { intervalMs: opts.outboxIntervalMs ?? 2_000, logger });

  /** Runs a state-changing command once; a repeat of its id returns the first outcome. */
  const once = async (
    env: Envelope,
    ctx: CommandContext,
    effect: (tx: PoolClient) => Promise<{ record: WorkloadRecord; event: { subject: string; env: Envelope } }>
  ): Promise<WorkloadRecord> => {
    const outcome = await db.withTransaction<Outcome>(async (tx) => {
      const prior = await priorReply(tx, env);
      if (prior) return { ok: true, record: prior.data as WorkloadRecord };
      try {
        const { record, event } = await effect(tx);
        await recordCommand(tx, env, ctx.subject, ctx.caller, 'ok', { schema: workloadRecordV1.id, data: record });
        await enqueueEvent(tx, event.subject, event.env);
        await audit(tx, {
          actor: ctx.caller,
          action: env.schema,
          workload: record.workload,
          subject: ctx.subject,
          detail: { command: env.id, revision: record.revision },
        });
        return { ok: true, record };
      } catch (err) {
        if (!(err instanceof OiError) || err.status >= 500) throw err;
        // a refused command is an outcome too: its retry must get the same refusal
        await recordCommand(tx, env, ctx.subject, ctx.caller, 'error', {
          schema: 'oi.err.reply.v1',
          data: { code: err.code, message: err.message },
        });
        return { ok: false, error: err };
      }
    });
    if (!outcome.ok) throw outcome.error;
    sweeper.kick();
    return outcome.record;
  };

  const register = (spec: WorkloadSpec, env: Envelope, ctx: CommandContext): Promise<WorkloadRecord> =>
    once(env, ctx, async (tx) => {
      const existing = await findWorkload(tx, spec.workload, true);
      if (existing) {
        throw new OiError(
          'OI_CONFLICT',
          `workload ${spec.workload} is already registered (revision ${existing.revision})`,
          [{ path: 'data.workload', rule: 'unique_workload', message: 'already registered' }],
          'change it with oi.v1.cmd.workload.update'
        );
      }
      const record = await insertWorkload(tx, spec, env.id, env.ts);
      const event = makeEnvelope(workloadRegisteredV1, record, {
        source: WORKLOAD_SERVICE,
        id: `${env.id}.evt`,
        ts: env.ts,
        corr: env.id,
      });
      return { record, event: { subject: subjects.evt('workload', 'registered', spec.workload), env: event } };
    });

  const update = (data: DataOf<typeof updateWorkloadV1>, env: Envelope, ctx: CommandContext): Promise<WorkloadRecord> =>
    once(env, ctx, async (tx) => {
      const existing = await findWorkload(tx, data.workload, true);
      if (!existing)
        throw new OiError('OI_NOT_FOUND', `workload ${data.workload} is not registered`, [], 'register it first');
      if (data.expected_revision !== undefined && data.expected_revision !== existing.revision) {
        throw new OiError(
          'OI_CONFLICT',
          `workload ${data.workload} is at revision ${existing.revision}, not ${data.expected_revision}`,
          [
            {
              path: 'data.expected_revision',
              rule: 'revision_match',
              message: `current revision is ${existing.revision}`,
            },
          ]
        );
      }
      const { expected_revision: _rev, ...changes } = data;
      const { revision: _r, registered_at: _a, updated_at: _u, last_command: _c, ...current } = existing;
      const spec = workloadSpec.parse({ ...current, ...changes });
      const changed = Object.keys(changes).filter(
        (k) =>
          k !== 'workload' &&
          JSON.stringify((current as Record<string, unknown>)[k]) !==
            JSON.stringify((spec as Record<string, unknown>)[k])
      );
      const record = await updateWorkload(tx, spec, env.id, env.ts);
      const event = makeEnvelope(
        workloadUpdatedV1,
        { ...record, changed },
        { source: WORKLOAD_SERVICE, id: `${env.id}.evt`, ts: env.ts, corr: env.id }
      );
      return { record, event: { subject: subjects.evt('workload', 'updated', spec.workload), env: event } };
    });

  const service = await serveCommands(bus, {
    name: WORKLOAD_SERVICE,
    version: '1.0.0',
    description: 'Register, change and read workloads (DESIGN.md "Subjects": oi.v1.cmd.workload.*)',
    source: WORKLOAD_SERVICE,
    logger,
    endpoints: [
      {
        name: 'register',
        subject: subjects.cmd('workload', 'register'),
        accept: [registerWorkloadV1],
        reply: workloadRecordV1,
        handle: async (env, ctx) => ({
          def: workloadRecordV1,
          data: await register(env.data as WorkloadSpec, env, ctx),
        }),
      },
      {
        name: 'register-v2',
        subject: subjects.cmd('workload', 'register', 2),
        accept: [registerWorkloadV2],
        reply: workloadRecordV2,
        handle: async (env, ctx) => ({
          def: workloadRecordV2,
          data: recordV1ToV2(
            await register(registerV2ToV1Spec(env.data as DataOf<typeof registerWorkloadV2>), env, ctx)
          ),
        }),
      },
      {
        name: 'update',
        subject: subjects.cmd('workload', 'update'),
        accept: [updateWorkloadV1],
        reply: workloadRecordV1,
        handle: async (env, ctx) => ({
          def: workloadRecordV1,
          data: await update(env.data as DataOf<typeof updateWorkloadV1>, env, ctx),
        }),
      },
      {
        name: 'get',
        subject: subjects.cmd('workload', 'get'),
        accept: [getWorkloadV1],
        reply: workloadRecordV1,
        handle: async (env) => {
          const { workload } = env.data as DataOf<typeof getWorkloadV1>;
          const record = await findWorkload(db, workload);
          if (!record) throw new OiError('OI_NOT_FOUND', `workload ${workload} is not registered`);
          return { def: workloadRecordV1, data: record };
        },
      },
      {
        name: 'list',
        subject: subjects.cmd('workload', 'list'),
        accept: [listWorkloadsV1],
        reply: workloadPageV1,
        handle: async (env) => ({
          def: workloadPageV1,
          data: await listWorkloads(db, env.data as DataOf<typeof listWorkloadsV1>),
        }),
      },
    ],
  });
  return {
    service,
    stop: async () => {
      await service.stop();
      await sweeper.stop();
    },
  };
}

import type { Service } from '@nats-io/services';
import {
  approveDecisionV1,
  decisionPageV1,
  decisionVerdictV1,
  fleetStateV1,
  listDecisionsV1,
  pauseFleetV1,
  rejectDecisionV1,
  resumeFleetV1,
  setWorkloadModeV1,
  subjects,
  workloadModeV1,
  type DataOf,
  type Envelope,
} from '../../schemas/index.js';
import { OiError, serveCommands, type Bus, type CommandContext } from '../../bus/index.js';
import type { Logger } from '../../config/index.js';
import type { Postgres } from '../../stores/index.js';
import { isApprovalError, type Effect } from '../priority/index.js';
import { audit } from '../workloads/command-log.js';
import type { ArbitrationTerm } from './arbitration-term.js';

export const ARBITRATION_SERVICE = 'oi-arbitration';

type Verdict = DataOf<typeof decisionVerdictV1>;

const HINTS = {
  unknown_proposal: 'list what waits with oi.v1.cmd.decision.list',
  expired: 'the approval window passed; the agent proposes again if the need remains',
  already_decided: 'nothing to do: the proposal already ended',
  not_pending: 'wait until its arbitration window closes, then approve',
} as const;

/** Runs one arbiter verdict; a refusal still carries out the effects of time passing. */
async function verdictOf(term: ArbitrationTerm, proposalId: string, by: string, run: () => Effect[]): Promise<Verdict> {
  let fx: Effect[];
  try {
    fx = run();
  } catch (err) {
    if (!isApprovalError(err)) throw err;
    await term.apply(err.effects);
    throw new OiError(
      err.code,
      err.message,
      [{ path: 'data.proposal_id', rule: err.refusal, message: err.message }],
      HINTS[err.refusal]
    );
  }
  await term.apply(fx);
  const decision = fx.filter((e) => e.type === 'decision' && e.decision.proposal_id === proposalId).at(-1);
  const outcome = fx.find((e) => e.type === 'outcome' && e.proposalId === proposalId);
  const fate = term.arbiter.fateOf(proposalId) ?? 'pending';
  const d = decision?.type === 'decision' ? decision : undefined;
  const workload = d?.decision.workload ?? (outcome?.type === 'outcome' ? outcome.workload : '');
  return {
    proposal_id: proposalId,
    workload,
    fate,
    ...(d ? { verdict: d.decision.verdict, decision_id: d.decision.decision_id } : {}),
    execute: d?.execute ?? false,
    by,
    reason: (d?.decision.reason ?? (outcome?.type === 'outcome' ? outcome.reason : `${fate}`)).slice(0, 4000),
  };
}

/**
 * Operator commands of the priority protocol, served by the arbitration leader only:
 * `oi.v1.cmd.decision.approve|reject|list`, `oi.v1.cmd.workload.set-mode`,
 * `oi.v1.cmd.fleet.pause|resume`. The approver is the request's caller (`Oi-Caller`).
 */
export async function serveArbitrationCommands(opts: {
  bus: Bus;
  db: Postgres;
  term: ArbitrationTerm;
  logger: Logger;
}): Promise<Service> {
  const { term, db } = opts;
  const record = (env: Envelope, ctx: CommandContext, workload: string | undefined, detail: unknown) =>
    db.withTransaction((tx) =>
      audit(tx, {
        actor: ctx.caller,
        action: env.schema,
        ...(workload ? { workload } : {}),
        subject: ctx.subject,
        detail,
      })
    );

  const fleet = (paused: boolean) => async (env: Envelope, ctx: CommandContext) => {
    const reason = (env.data as { reason?: string }).reason;
    return term.serial.run(async () => {
      const at = term.commandTimeMs(env.ts);
      const fx = paused ? term.arbiter.pause(ctx.caller, at) : term.arbiter.resume(ctx.caller, at);
      const state = {
        paused,
        by: ctx.caller,
        at: new Date(term.arbiter.nowMs).toISOString(),
        ...(reason ? { reason } : {}),
      };
      await term.writePause(state);
      await term.apply(fx);
      await record(env, ctx, undefined, { command: env.id, ...state });
      return { def: fleetStateV1, data: state };
    });
  };

  return serveCommands(opts.bus, {
    name: ARBITRATION_SERVICE,
    version: '1.0.0',
    description: 'Approvals, operating modes and the fleet pause switch of the priority protocol',
    source: ARBITRATION_SERVICE,
    logger: opts.logger,
    endpoints: [
      {
        name: 'approve',
        subject: subjects.cmd('decision', 'approve'),
        accept: [approveDecisionV1],
        reply: decisionVerdictV1,
        handle: (env, ctx) => {
          const { proposal_id } = env.data as DataOf<typeof approveDecisionV1>;
          return term.serial.run(async () => {
            await term.ensureKnown([proposal_id]);
            const at = term.commandTimeMs(env.ts);
            const data = await verdictOf(term, proposal_id, ctx.caller, () =>
              term.arbiter.approve(proposal_id, ctx.caller, at)
            );
            return { def: decisionVerdictV1, data };
          });
        },
      },
      {
        name: 'reject',
        subject: subjects.cmd('decision', 'reject'),
        accept: [rejectDecisionV1],
        reply: decisionVerdictV1,
        handle: (env, ctx) => {
          const { proposal_id, reason } = env.data as DataOf<typeof rejectDecisionV1>;
          return term.serial.run(async () => {
            await term.ensureKnown([proposal_id]);
            const at = term.commandTimeMs(env.ts);
            const data = await verdictOf(term, proposal_id, ctx.caller, () =>
              term.arbiter.rejectPending(proposal_id, ctx.caller, reason, at)
            );
            return { def: decisionVerdictV1, data };
          });
        },
      },
      {
        name: 'list',
        subject: subjects.cmd('decision', 'list'),
        accept: [listDecisionsV1],
        reply: decisionPageV1,
        handle: (env) => {
          const { workload, limit } = env.data as DataOf<typeof listDecisionsV1>;
          return Promise.resolve({ def: decisionPageV1, data: { items: term.pending.list(workload, limit) } });
        },
      },
      {
        name: 'set-mode',
        subject: subjects.cmd('workload', 'set-mode'),
        accept: [setWorkloadModeV1],
        reply: workloadModeV1,
        handle: async (env, ctx) => {
          const { workload, mode } = env.data as DataOf<typeof setWorkloadModeV1>;
          if (!(await term.book.ensure(workload))) {
            throw new OiError('OI_NOT_FOUND', `workload ${workload} is not registered`, [], 'register it first');
          }
          const previous = await term.book.setMode(workload, mode, ctx.caller);
          await record(env, ctx, workload, { command: env.id, mode, previous });
          return { def: workloadModeV1, data: { workload, mode, previous, set_by: ctx.caller } };
        },
      },
      {
        name: 'pause',
        subject: subjects.cmd('fleet', 'pause'),
        accept: [pauseFleetV1],
        reply: fleetStateV1,
        handle: fleet(true),
      },
      {
        name: 'resume',
        subject: subjects.cmd('fleet', 'resume'),
        accept: [resumeFleetV1],
        reply: fleetStateV1,
        handle: fleet(false),
      },
    ],
  });
}

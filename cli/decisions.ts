import {
  approveDecisionV1,
  listDecisionsV1,
  rejectDecisionV1,
  subjects,
  type DataOf,
  type decisionPageV1,
  type decisionVerdictV1,
} from '../schemas/index.js';
import { request } from '../bus/index.js';
import { UsageError, flag, type Args } from './args.js';
import { callerIdentity, cliBus } from './connect.js';

export const APPROVE_USAGE = `optiinfra approve <proposal-id> [--as <operator>]
  Approves a proposal waiting for approval (oi.v1.cmd.decision.approve); the operator is
  recorded in the audit (default: cli:$USER).`;
export const REJECT_USAGE = `optiinfra reject <proposal-id> --reason <text> [--as <operator>]
  Turns down a proposal waiting for approval (oi.v1.cmd.decision.reject).`;
export const DECISIONS_USAGE = `optiinfra decisions [--workload <id>] [--limit <n>]
  Lists proposals waiting for approval, oldest first (oi.v1.cmd.decision.list).`;

type Verdict = DataOf<typeof decisionVerdictV1>;

const describe = (v: Verdict): string =>
  `${v.proposal_id} (${v.workload}): ${v.fate}${v.verdict ? `, ${v.verdict}` : ''}` +
  `${v.execute ? ', executing' : ''} by ${v.by}: ${v.reason}`;

async function verdict(args: Args, usage: string, reject: boolean): Promise<number> {
  const id = args.positionals[0];
  const reason = flag(args, 'reason');
  if (!id || (reject && !reason)) throw new UsageError(usage);
  const caller = flag(args, 'as') ?? callerIdentity();
  const bus = await cliBus('optiinfra-decisions');
  try {
    const reply = reject
      ? await request(
          bus.nc,
          subjects.cmd('decision', 'reject'),
          rejectDecisionV1,
          { proposal_id: id, reason: reason! },
          {
            source: 'optiinfra-cli',
            caller,
          }
        )
      : await request(
          bus.nc,
          subjects.cmd('decision', 'approve'),
          approveDecisionV1,
          { proposal_id: id },
          {
            source: 'optiinfra-cli',
            caller,
          }
        );
    console.log(describe(reply.data as Verdict));
    return 0;
  } finally {
    await bus.drain();
  }
}

export const runApprove = (args: Args): Promise<number> => verdict(args, APPROVE_USAGE, false);
export const runReject = (args: Args): Promise<number> => verdict(args, REJECT_USAGE, true);

export async function runDecisions(args: Args): Promise<number> {
  const workload = flag(args, 'workload');
  const limit = Number(flag(args, 'limit') ?? 100);
  const bus = await cliBus('optiinfra-decisions');
  try {
    const reply = await request(
      bus.nc,
      subjects.cmd('decision', 'list'),
      listDecisionsV1,
      { limit, ...(workload ? { workload } : {}) },
      { source: 'optiinfra-cli', caller: callerIdentity() }
    );
    const { items } = reply.data as DataOf<typeof decisionPageV1>;
    if (!items.length) console.log('nothing waits for approval');
    for (const i of items) {
      console.log(`${i.proposal_id}  ${i.workload}  ${i.priority_class}  ${i.action}  (expires ${i.expires_at})`);
      console.log(`  ${i.reason}`);
    }
    return 0;
  } finally {
    await bus.drain();
  }
}

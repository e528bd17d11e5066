import type { DashboardSpec } from './panel-spec.js';
import { WL, only } from './sql-fragments.js';

const PROPOSAL_INFO =
  '(SELECT proposal_id, any(agent) AS agent, any(action_kind) AS action_kind FROM proposals GROUP BY proposal_id)';

export const decisions: DashboardSpec = {
  uid: 'oi-decisions',
  title: 'OptiInfra · Decisions',
  description: 'What the agents proposed, what the supervisor ruled, which proposal won each conflict and why.',
  variables: ['workload', 'agent'],
  panels: [
    {
      key: 'proposals-by-agent',
      title: 'Proposals by agent',
      kind: 'timeseries',
      description: 'oi.rec.proposal.v1 messages per interval and agent (proposals).',
      sql: `SELECT $__timeInterval(ts) AS time, agent AS series, count() AS value
FROM proposals WHERE $__timeFilter(ts) AND ${WL} AND ${only('agent')}
GROUP BY time, series ORDER BY time, series`,
    },
    {
      key: 'verdicts',
      title: 'Decisions by verdict',
      kind: 'bars',
      description: 'oi.dec.decision.v1 messages in the range per verdict (decisions).',
      sql: `SELECT verdict AS label, count() AS value FROM decisions WHERE $__timeFilter(ts) AND ${WL}
GROUP BY label ORDER BY label`,
    },
    {
      key: 'conflicts',
      title: 'Conflicts: winners and reasons',
      kind: 'table',
      description: 'Pre-empted proposals, the proposal that won over each (preempted_by) and the supervisor reason.',
      sql: `SELECT d.ts AS time, d.workload AS workload, d.proposal_id AS loser, l.agent AS loser_agent,
  d.action_kind AS loser_action, d.preempted_by AS winner, w.agent AS winner_agent, w.action_kind AS winner_action,
  d.reason AS reason
FROM decisions AS d
LEFT JOIN ${PROPOSAL_INFO} AS l ON l.proposal_id = d.proposal_id
LEFT JOIN ${PROPOSAL_INFO} AS w ON w.proposal_id = d.preempted_by
WHERE d.verdict = 'preempted' AND $__timeFilter(d.ts) AND ${only('workload', 'd.workload')}
ORDER BY time DESC`,
    },
    {
      key: 'proposals',
      title: 'Proposals and their latest verdict',
      kind: 'table',
      description: 'Each proposal in the range with its expected impact and the last decision on it (or undecided).',
      sql: `SELECT p.ts AS time, p.workload AS workload, p.agent AS agent, p.proposal_id AS proposal_id,
  p.action_kind AS action, p.expected_usd_per_month AS expected_usd_per_month, p.risk AS risk,
  if(d.proposal_id = '', 'undecided', d.verdict) AS verdict, d.reason AS reason
FROM proposals AS p
LEFT JOIN (
  SELECT proposal_id, argMax(verdict, ts) AS verdict, argMax(reason, ts) AS reason
  FROM decisions WHERE ts <= $__toTime GROUP BY proposal_id) AS d ON d.proposal_id = p.proposal_id
WHERE $__timeFilter(p.ts) AND ${only('workload', 'p.workload')} AND ${only('agent', 'p.agent')}
ORDER BY time DESC`,
    },
    {
      key: 'audit-trail',
      title: 'Audit trail',
      kind: 'table',
      description:
        'Supervisor notices oi.v1.evt.priority.<event>.<workload> (approvals, rejections, guardrail stops, ' +
        'pre-emptions, locks, rollouts, outcomes), newest first (events).',
      sql: `SELECT ts AS time, workload, event, JSONExtractString(data, 'severity') AS severity,
  JSONExtractString(data, 'attrs', 'proposal_id') AS proposal_id, JSONExtractString(data, 'message') AS message
FROM events WHERE domain = 'priority' AND $__timeFilter(ts) AND ${WL}
ORDER BY time DESC`,
    },
  ],
};

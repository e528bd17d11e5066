-- What the arbitration leader holds in memory, per proposal, written in the same transaction as
-- the decisions and audit rows of each batch (supervisor/arbitration): a new leader reads the
-- live rows back (open windows, pending approvals, executing actions with their action locks,
-- the blast-radius and spend caps' memory), so a leader change forgets, repeats and re-decides
-- nothing. Settled rows stay: a redelivered proposal or a late approval finds its fate here.
CREATE TABLE IF NOT EXISTS arbitration_state (
  proposal_id text PRIMARY KEY,
  workload text NOT NULL,
  state text NOT NULL CHECK (state IN ('window', 'pending_approval', 'executing', 'settled')),
  fate text CHECK (fate IN ('decided', 'rejected', 'expired', 'superseded')),
  epoch bigint NOT NULL, -- fencing epoch of the leader that wrote it; a lower one never overwrites
  started_at timestamptz, -- event time its execution started (action-rate and spend caps)
  memory jsonb NOT NULL, -- the arbiter's ProposalMemory
  pending jsonb, -- its line in oi.v1.cmd.decision.list while it awaits an operator
  last_decision jsonb, -- the last decision effect, re-published by a new leader (OI_DEC drops duplicates by id)
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS arbitration_state_live ON arbitration_state (state) WHERE state <> 'settled';
CREATE INDEX IF NOT EXISTS arbitration_state_started ON arbitration_state (started_at) WHERE started_at IS NOT NULL;

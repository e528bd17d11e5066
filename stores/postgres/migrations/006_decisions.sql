-- The priority protocol's durable record (supervisor/priority): proposals as received,
-- every decision the supervisor published, operator approvals and rejections with the
-- operator's identity, and the audit rows `explain` rebuilds a decision from.
CREATE TABLE IF NOT EXISTS proposals (
  proposal_id text PRIMARY KEY,
  workload text NOT NULL,
  agent text NOT NULL,
  resource text NOT NULL,
  priority_class text NOT NULL,
  epoch bigint NOT NULL,
  received_at timestamptz NOT NULL, -- event time
  expires_at timestamptz NOT NULL,
  payload jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS proposals_workload_received ON proposals (workload, received_at);

CREATE TABLE IF NOT EXISTS decisions (
  decision_id text PRIMARY KEY,
  proposal_id text NOT NULL,
  workload text NOT NULL,
  verdict text NOT NULL CHECK (verdict IN ('approved', 'rejected', 'pending_approval', 'preempted', 'shadowed')),
  execute boolean NOT NULL,
  decided_by text NOT NULL,
  mode text NOT NULL,
  epoch bigint NOT NULL,
  decided_at timestamptz NOT NULL, -- event time
  payload jsonb NOT NULL -- the oi.dec.decision.v1 data plus capacity / after / rollout
);
CREATE INDEX IF NOT EXISTS decisions_proposal ON decisions (proposal_id, decided_at);
CREATE INDEX IF NOT EXISTS decisions_workload ON decisions (workload, decided_at);

CREATE TABLE IF NOT EXISTS approvals (
  id bigserial PRIMARY KEY,
  proposal_id text NOT NULL,
  workload text NOT NULL,
  operator text NOT NULL,
  verdict text NOT NULL CHECK (verdict IN ('approved', 'rejected')),
  reason text NOT NULL,
  at timestamptz NOT NULL -- event time
);
CREATE INDEX IF NOT EXISTS approvals_proposal ON approvals (proposal_id);

-- seq counts within one arbiter's life (it restarts with the supervisor): order by (at, epoch, seq, id).
CREATE TABLE IF NOT EXISTS decision_audit (
  id bigserial PRIMARY KEY,
  epoch bigint NOT NULL,
  seq bigint NOT NULL,
  workload text NOT NULL,
  proposal_id text NOT NULL,
  kind text NOT NULL,
  at timestamptz NOT NULL, -- event time
  row jsonb NOT NULL
);
CREATE INDEX IF NOT EXISTS decision_audit_proposal ON decision_audit (proposal_id, at);
CREATE INDEX IF NOT EXISTS decision_audit_workload ON decision_audit (workload, at);

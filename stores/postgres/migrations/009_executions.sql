-- The cloud executor's record (actors/cloud): one row per executed decision, so a redelivered
-- decision is not carried out twice, and the highest epoch seen per workload, so a decision
-- taken under an older epoch is refused.
CREATE TABLE IF NOT EXISTS executions (
  decision_id text PRIMARY KEY,
  proposal_id text NOT NULL,
  workload text NOT NULL,
  epoch bigint NOT NULL,
  action jsonb NOT NULL,
  status text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'rolled_back', 'refused')),
  detail text NOT NULL DEFAULT '',
  launched text[] NOT NULL DEFAULT '{}', -- instances this decision launched, recorded as they start
  terminated text[] NOT NULL DEFAULT '{}',
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX IF NOT EXISTS executions_workload ON executions (workload, started_at);

CREATE TABLE IF NOT EXISTS executor_fences (
  workload text PRIMARY KEY,
  epoch bigint NOT NULL
);

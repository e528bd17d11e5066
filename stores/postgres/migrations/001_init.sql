-- Registered workloads: the current spec and who changed it last.
CREATE TABLE workloads (
  workload text PRIMARY KEY,
  spec jsonb NOT NULL,
  mode text NOT NULL,
  owner text,
  revision int NOT NULL,
  registered_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  last_command text NOT NULL
);

-- Every accepted command, keyed by envelope id so a redelivery replays the stored reply.
CREATE TABLE commands (
  id text PRIMARY KEY,
  schema text NOT NULL,
  subject text NOT NULL,
  source text NOT NULL,
  caller text,
  ts timestamptz NOT NULL, -- event time, from the envelope
  received_at timestamptz NOT NULL DEFAULT now(),
  request_sha256 text NOT NULL, -- tells a true redelivery from an id reused for another payload
  status text NOT NULL CHECK (status IN ('ok', 'error')),
  reply jsonb NOT NULL
);
CREATE INDEX commands_subject_received_at ON commands (subject, received_at);

CREATE TABLE audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL,
  action text NOT NULL,
  workload text,
  subject text,
  detail jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_workload_at ON audit (workload, at);

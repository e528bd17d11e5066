-- Actor snapshots (actors/runtime): one row per actor, written only by the holder of the
-- newest lease epoch; last_seq lets a restarted host skip messages already applied.
CREATE TABLE IF NOT EXISTS actor_snapshots (
  kind text NOT NULL,
  key text NOT NULL,
  partition int NOT NULL,
  epoch bigint NOT NULL,
  v int NOT NULL,
  state jsonb NOT NULL,
  last_seq bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, key)
);
CREATE INDEX IF NOT EXISTS actor_snapshots_partition ON actor_snapshots (partition);

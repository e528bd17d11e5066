-- Events written in the same transaction as the change they announce, published after
-- commit; rows left unpublished by a crash are sent by the sweeper (supervisor/workloads/outbox.ts).
CREATE TABLE IF NOT EXISTS outbox (
  id text PRIMARY KEY,
  subject text NOT NULL,
  envelope jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz
);
CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (created_at, id) WHERE published_at IS NULL;

-- Tier-3 application content (seed 000 §9.3.3), encrypted at rest: AES-256-GCM with the key from
-- OI_TIER3_KEY; the database never sees plaintext. Every read attempt leaves an audit row.
CREATE TABLE IF NOT EXISTS app_content (
  id            text PRIMARY KEY,
  workload      text NOT NULL,
  node          text NOT NULL,
  request_type  text,
  window_ts     timestamptz NOT NULL,
  envelope_id   text NOT NULL,
  iv            bytea NOT NULL CHECK (octet_length(iv) = 12),
  tag           bytea NOT NULL CHECK (octet_length(tag) = 16),
  ciphertext    bytea NOT NULL,
  key_id        text NOT NULL,
  stored_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS app_content_workload_idx ON app_content (workload, window_ts);

CREATE TABLE IF NOT EXISTS app_content_access (
  id          bigserial PRIMARY KEY,
  content_id  text NOT NULL,
  actor       text NOT NULL,
  purpose     text NOT NULL,
  outcome     text NOT NULL CHECK (outcome IN ('read', 'not_found', 'decrypt_failed')),
  accessed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS app_content_access_content_idx ON app_content_access (content_id, accessed_at);

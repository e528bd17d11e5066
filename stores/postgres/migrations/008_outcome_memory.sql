-- Learning memory (DESIGN.md "Data"): verified outcomes of past decisions with their situation
-- as a normalised feature vector (actors/memory/features.ts, 16 dimensions), searched by L2
-- distance through an HNSW index.
CREATE TABLE IF NOT EXISTS outcome_memory (
  id                       text PRIMARY KEY,
  workload                 text NOT NULL,
  agent                    text NOT NULL,
  strategy                 text NOT NULL,
  action_kind              text NOT NULL,
  action                   jsonb NOT NULL,
  features                 jsonb NOT NULL,
  embedding                vector(16) NOT NULL,
  predicted_usd_per_month  double precision NOT NULL,
  measured_usd_per_month   double precision NOT NULL,
  predicted                jsonb NOT NULL,
  measured                 jsonb NOT NULL,
  kept                     boolean NOT NULL,
  decided_at               timestamptz NOT NULL,
  recorded_at              timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS outcome_memory_embedding_idx ON outcome_memory USING hnsw (embedding vector_l2_ops);
CREATE INDEX IF NOT EXISTS outcome_memory_agent_idx ON outcome_memory (agent, action_kind);

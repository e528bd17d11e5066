-- pgvector, for the outcome memory (vector search over past decisions).
CREATE EXTENSION IF NOT EXISTS vector;

import type { ActionSpec, AgentKind } from '../../schemas/index.js';
import type { Postgres } from '../../stores/index.js';
import { featureVector, similarityOf, type SituationFeatures } from './features.js';
import {
  checkK,
  checkOutcome,
  type ImpactFigures,
  type OutcomeFilter,
  type OutcomeMemory,
  type OutcomeRecord,
  type SimilarOutcome,
} from './outcome-memory.js';

const literal = (v: readonly number[]): string => `[${v.join(',')}]`;

interface Row {
  id: string;
  workload: string;
  agent: AgentKind;
  strategy: string;
  action: ActionSpec;
  predicted: ImpactFigures;
  measured: ImpactFigures;
  kept: boolean;
  decided_at: Date;
  distance: number;
}

/**
 * The default learning memory: table `outcome_memory` (migration 008) in PostgreSQL with
 * pgvector, L2 distance over the normalised feature vector through an HNSW index
 * (iterative scan, so filters never cut the answer short).
 */
export class PgvectorOutcomeMemory implements OutcomeMemory {
  constructor(readonly db: Postgres) {}

  async record(o: OutcomeRecord): Promise<void> {
    const vector = checkOutcome(o);
    await this.db.query(
      `INSERT INTO outcome_memory (id, workload, agent, strategy, action_kind, action, features, embedding,
         predicted_usd_per_month, measured_usd_per_month, predicted, measured, kept, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8::vector, $9, $10, $11, $12, $13, $14)
       ON CONFLICT (id) DO UPDATE SET workload = EXCLUDED.workload, agent = EXCLUDED.agent,
         strategy = EXCLUDED.strategy, action_kind = EXCLUDED.action_kind, action = EXCLUDED.action,
         features = EXCLUDED.features, embedding = EXCLUDED.embedding,
         predicted_usd_per_month = EXCLUDED.predicted_usd_per_month,
         measured_usd_per_month = EXCLUDED.measured_usd_per_month, predicted = EXCLUDED.predicted,
         measured = EXCLUDED.measured, kept = EXCLUDED.kept, decided_at = EXCLUDED.decided_at,
         recorded_at = now()`,
      [
        o.id,
        o.workload,
        o.agent,
        o.strategy,
        o.action.kind,
        JSON.stringify(o.action),
        JSON.stringify(o.features),
        literal(vector),
        o.predicted.usd_per_month,
        o.measured.usd_per_month,
        JSON.stringify(o.predicted),
        JSON.stringify(o.measured),
        o.kept,
        new Date(o.decidedAt),
      ]
    );
  }

  async similar(features: SituationFeatures, k: number, filter: OutcomeFilter = {}): Promise<SimilarOutcome[]> {
    checkK(k);
    const q = literal(featureVector(features));
    // HNSW filters after the scan: iterative scan (pgvector ≥ 0.8) keeps going until k rows pass
    const rows = await this.db.withTransaction(async (tx) => {
      await tx.query("SET LOCAL hnsw.iterative_scan = 'strict_order'");
      const r = await tx.query<Row>(
        `SELECT id, workload, agent, strategy, action, predicted, measured, kept, decided_at,
                embedding <-> $1::vector AS distance
           FROM outcome_memory
          WHERE ($2::text IS NULL OR agent = $2) AND ($3::text IS NULL OR strategy = $3)
            AND ($4::text IS NULL OR action_kind = $4) AND ($5::text IS NULL OR workload = $5)
          ORDER BY embedding <-> $1::vector
          LIMIT $6`,
        [q, filter.agent ?? null, filter.strategy ?? null, filter.actionKind ?? null, filter.workload ?? null, k]
      );
      return r.rows;
    });
    rows.sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id));
    return rows.map((r) => ({
      id: r.id,
      workload: r.workload,
      agent: r.agent,
      strategy: r.strategy,
      action: r.action,
      distance: r.distance,
      similarity: similarityOf(r.distance),
      predicted: r.predicted,
      measured: r.measured,
      predictedUsdPerMonth: r.predicted.usd_per_month,
      measuredUsdPerMonth: r.measured.usd_per_month,
      kept: r.kept,
      decidedAt: r.decided_at.getTime(),
    }));
  }
}

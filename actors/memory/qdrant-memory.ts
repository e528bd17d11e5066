import { createHash } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import type { ActionSpec, AgentKind } from '../../schemas/index.js';
import { FEATURE_DIM, featureVector, similarityOf, type SituationFeatures } from './features.js';
import {
  checkK,
  checkOutcome,
  type ImpactFigures,
  type OutcomeFilter,
  type OutcomeMemory,
  type OutcomeRecord,
  type SimilarOutcome,
} from './outcome-memory.js';

interface Payload {
  id: string;
  workload: string;
  agent: AgentKind;
  strategy: string;
  action_kind: string;
  action: ActionSpec;
  features: SituationFeatures;
  predicted: ImpactFigures;
  measured: ImpactFigures;
  kept: boolean;
  decided_at: number;
}

/** Qdrant point ids are UUIDs or integers: a UUID-shaped digest of the outcome id. */
function pointId(id: string): string {
  const h = createHash('sha256').update(id).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/**
 * The learning memory on Qdrant (production, DESIGN.md "Data"): one collection of 16-dimension
 * points with Euclid distance, the outcome in the payload. Same interface and conformance suite
 * as the pgvector store; `similarity` uses the same 1 / (1 + distance).
 */
export class QdrantOutcomeMemory implements OutcomeMemory {
  readonly #client: QdrantClient;
  #ready: Promise<void> | undefined;

  constructor(
    opts: { url: string; apiKey?: string },
    readonly collection = 'oi_outcome_memory'
  ) {
    // the client's own version probe writes to the console and needs the server up at construction
    this.#client = new QdrantClient({
      url: opts.url,
      checkCompatibility: false,
      ...(opts.apiKey ? { apiKey: opts.apiKey } : {}),
    });
  }

  /** Creates the collection when it is missing (idempotent). */
  ensureCollection(): Promise<void> {
    this.#ready ??= (async () => {
      const { exists } = await this.#client.collectionExists(this.collection);
      if (!exists) {
        await this.#client.createCollection(this.collection, { vectors: { size: FEATURE_DIM, distance: 'Euclid' } });
      }
    })();
    return this.#ready;
  }

  async record(o: OutcomeRecord): Promise<void> {
    const vector = checkOutcome(o);
    await this.ensureCollection();
    const payload: Payload = {
      id: o.id,
      workload: o.workload,
      agent: o.agent,
      strategy: o.strategy,
      action_kind: o.action.kind,
      action: o.action,
      features: o.features,
      predicted: o.predicted,
      measured: o.measured,
      kept: o.kept,
      decided_at: o.decidedAt,
    };
    await this.#client.upsert(this.collection, {
      wait: true,
      points: [{ id: pointId(o.id), vector, payload: payload as unknown as Record<string, unknown> }],
    });
  }

  async similar(features: SituationFeatures, k: number, filter: OutcomeFilter = {}): Promise<SimilarOutcome[]> {
    checkK(k);
    await this.ensureCollection();
    const must = (
      [
        ['agent', filter.agent],
        ['strategy', filter.strategy],
        ['action_kind', filter.actionKind],
        ['workload', filter.workload],
      ] as const
    )
      .filter(([, v]) => v !== undefined)
      .map(([key, value]) => ({ key, match: { value: value! } }));
    const hits = await this.#client.search(this.collection, {
      vector: featureVector(features),
      limit: k,
      with_payload: true,
      ...(must.length > 0 ? { filter: { must } } : {}),
    });
    return hits
      .map((h) => {
        const p = h.payload as unknown as Payload;
        return {
          id: p.id,
          workload: p.workload,
          agent: p.agent,
          strategy: p.strategy,
          action: p.action,
          distance: h.score,
          similarity: similarityOf(h.score),
          predicted: p.predicted,
          measured: p.measured,
          predictedUsdPerMonth: p.predicted.usd_per_month,
          measuredUsdPerMonth: p.measured.usd_per_month,
          kept: p.kept,
          decidedAt: p.decided_at,
        };
      })
      .sort((a, b) => a.distance - b.distance || a.id.localeCompare(b.id));
  }
}

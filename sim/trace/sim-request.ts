/** One inference request of a trace, as the simulator replays it. */
export interface SimRequest {
  id: string;
  /** Seconds from the start of the trace. */
  arrivalSec: number;
  promptTokens: number;
  outputTokens: number;
  /** Prefix block hashes in prompt order (Mooncake `hash_ids`, 512-token blocks); equal ids = reusable KV blocks. */
  prefixHashes?: readonly number[];
  /** Workload class of the request (`code`, `conversation`, …). */
  taskClass?: string;
}

/** A trace is any stream of requests in arrival order; readers stream, generators may be sync. */
export type RequestSource = AsyncIterable<SimRequest> | Iterable<SimRequest>;

export async function collectTrace(source: RequestSource): Promise<SimRequest[]> {
  const out: SimRequest[] = [];
  for await (const r of source) out.push(r);
  return out;
}

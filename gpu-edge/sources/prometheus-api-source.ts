import { z } from 'zod';
import { ScrapeError } from '../errors.js';
import { parseValue, type Sample } from '../telemetry/prometheus-text.js';
import { checkHttpUrl, describeFetchError } from './engine-metrics-source.js';
import type { EngineSource } from './types.js';

/**
 * Reads the same vLLM series from a Prometheus that already scrapes the engine, through the
 * instant-query API (`GET /api/v1/query`), for nodes where the edge may not reach the engine.
 */

const vectorResponse = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.object({
      resultType: z.literal('vector'),
      result: z.array(
        z.object({
          metric: z.record(z.string(), z.string()).refine((m) => typeof m.__name__ === 'string', {
            message: 'needs __name__ (query a selector, not an expression that drops it)',
          }),
          value: z.tuple([z.number(), z.string()]),
        })
      ),
    }),
  }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

/** Turns an instant-query response body into samples; throws naming the field that broke. */
export function parsePrometheusQueryResponse(body: unknown): Sample[] {
  const parsed = vectorResponse.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`prometheus response ${issue.path.join('.') || '(root)'}: ${issue.message} (${issue.code})`);
  }
  if (parsed.data.status === 'error') {
    throw new Error(`prometheus query failed: ${parsed.data.errorType}: ${parsed.data.error}`);
  }
  return parsed.data.data.result.map((r, i) => {
    const { __name__: name, ...labels } = r.metric;
    const value = parseValue(r.value[1]);
    if (value === undefined)
      throw new Error(`prometheus response data.result.${i}.value.1: "${r.value[1]}" is not a number`);
    return { name: name!, labels, value, timestampMs: Math.round(r.value[0] * 1000) };
  });
}

export interface PrometheusApiOptions {
  /** Prometheus base URL, e.g. `http://prometheus:9090`. */
  baseUrl: string;
  /** Label matchers that pick this engine's series, e.g. `job="vllm",instance="10.0.0.5:8000"`. */
  matchers: string;
  timeoutMs?: number;
  engine?: 'vllm' | 'sim';
  model?: string;
}

/** The PromQL selector for every vLLM series of one engine. */
export function vllmSelector(matchers: string): string {
  const m = matchers.trim().replace(/^\{|\}$/g, '');
  return m ? `{__name__=~"vllm:.+",${m}}` : '{__name__=~"vllm:.+"}';
}

export function prometheusApiSource(opts: PrometheusApiOptions): EngineSource {
  const base = checkHttpUrl(opts.baseUrl, 'prometheus base url');
  const url = new URL('api/v1/query', base.href.endsWith('/') ? base : `${base.href}/`);
  url.searchParams.set('query', vllmSelector(opts.matchers));
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const name = `prometheus:${base.origin}`;
  return {
    name,
    engine: opts.engine ?? 'vllm',
    ...(opts.model === undefined ? {} : { model: opts.model }),
    scrape: async (): Promise<Sample[]> => {
      let body: unknown;
      try {
        const res = await fetch(url, {
          signal: AbortSignal.timeout(timeoutMs),
          headers: { accept: 'application/json' },
        });
        // Prometheus answers errors (400, 422, 503) with the same JSON envelope; read it for the reason
        body = await res.json();
      } catch (err) {
        throw new ScrapeError(name, describeFetchError(err, timeoutMs), { cause: err });
      }
      try {
        return parsePrometheusQueryResponse(body);
      } catch (err) {
        throw new ScrapeError(name, (err as Error).message, { cause: err });
      }
    },
  };
}

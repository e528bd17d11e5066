import { z } from 'zod';
import { ScrapeError } from '../errors.js';
import { parseValue, type Sample } from '../telemetry/prometheus-text.js';
import { checkHttpUrl, describeFetchError } from './engine-metrics-source.js';
import type { EngineSource } from './types.js';

/**
 * Reads the same vLLM series from a Prometheus that already scrapes the engine, through the
 * instant-query API (`GET /api/v1/query`), for nodes where the edge may not reach the engine.
 *
 * Each read asks `timestamp(up{…})` for the target's latest scrape, then evaluates the vLLM
 * series and `up` at exactly that time, so every sample comes from that one scrape (a scrape
 * landing between the two requests cannot mix in) and carries its time. A target Prometheus
 * failed to scrape (`up == 0`) is a failed read naming Prometheus's own error.
 */

const vectorResponse = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.object({
      resultType: z.literal('vector'),
      result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: z.tuple([z.number(), z.string()]) })),
    }),
  }),
  z.object({ status: z.literal('error'), errorType: z.string(), error: z.string() }),
]);

interface VectorElement {
  metric: Record<string, string>;
  value: number;
  timestampMs: number;
}

/** An instant-query response body → its elements; throws naming the field that broke. */
function parsePrometheusVector(body: unknown): VectorElement[] {
  const parsed = vectorResponse.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`prometheus response ${issue.path.join('.') || '(root)'}: ${issue.message} (${issue.code})`);
  }
  if (parsed.data.status === 'error') {
    throw new Error(`prometheus query failed: ${parsed.data.errorType}: ${parsed.data.error}`);
  }
  return parsed.data.data.result.map((r, i) => {
    const value = parseValue(r.value[1]);
    if (value === undefined)
      throw new Error(`prometheus response data.result.${i}.value.1: "${r.value[1]}" is not a number`);
    return { metric: r.metric, value, timestampMs: Math.round(r.value[0] * 1000) };
  });
}

/** Turns an instant-query response body into samples; throws naming the field that broke. */
export function parsePrometheusQueryResponse(body: unknown): Sample[] {
  return parsePrometheusVector(body).map((e, i) => {
    const { __name__: name, ...labels } = e.metric;
    if (name === undefined) {
      throw new Error(
        `prometheus response data.result.${i}.metric: needs __name__ (query a selector, not an expression that drops it)`
      );
    }
    return { name, labels, value: e.value, timestampMs: e.timestampMs };
  });
}

export interface PrometheusApiOptions {
  /** Prometheus base URL, e.g. `http://prometheus:9090`. */
  baseUrl: string;
  /**
   * Target label matchers that pick this engine's scrape target, e.g.
   * `job="vllm",instance="10.0.0.5:8000"`; they must match its `up` series too.
   */
  matchers: string;
  /** Per request (a read makes two; three when the target is down). */
  timeoutMs?: number;
  engine?: 'vllm' | 'sim';
  model?: string;
}

function inner(matchers: string): string {
  return matchers.trim().replace(/^\{|\}$/g, '');
}

/** The PromQL selector for every vLLM series of one engine, and its target's `up`. */
export function vllmSelector(matchers: string): string {
  const m = inner(matchers);
  return m ? `{__name__=~"vllm:.+|up",${m}}` : '{__name__=~"vllm:.+|up"}';
}

function labelText(labels: Record<string, string>): string {
  const parts = Object.entries(labels)
    .filter(([k]) => k !== '__name__')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return `{${parts.join(',')}}`;
}

interface TargetStatus {
  labels: Record<string, string>;
  lastError?: string;
}

export function prometheusApiSource(opts: PrometheusApiOptions): EngineSource {
  const base = checkHttpUrl(opts.baseUrl, 'prometheus base url');
  const root = base.href.endsWith('/') ? base : new URL(`${base.href}/`);
  const m = inner(opts.matchers);
  const upSelector = `up{${m}}`;
  const seriesSelector = vllmSelector(m);
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const name = `prometheus:${base.origin}`;

  const get = async (path: string, params: Record<string, string>): Promise<unknown> => {
    const url = new URL(path, root);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
      // Prometheus answers errors (400, 422, 503) with the same JSON envelope; read it for the reason
      return await res.json();
    } catch (err) {
      throw new ScrapeError(name, describeFetchError(err, timeoutMs), { cause: err });
    }
  };
  const parsed = <T>(fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new ScrapeError(name, (err as Error).message, { cause: err });
    }
  };

  /** Prometheus's last scrape error for the target with these labels; '' when it cannot say. */
  const lastError = async (labels: Record<string, string>): Promise<string> => {
    try {
      const body = (await get('api/v1/targets', { state: 'active' })) as {
        data?: { activeTargets?: TargetStatus[] };
      };
      const wanted = Object.entries(labels).filter(([k]) => k !== '__name__');
      const target = body.data?.activeTargets?.find((t) => wanted.every(([k, v]) => t.labels[k] === v));
      return target?.lastError ?? '';
    } catch {
      return '';
    }
  };

  return {
    name,
    engine: opts.engine ?? 'vllm',
    ...(opts.model === undefined ? {} : { model: opts.model }),
    scrape: async (): Promise<Sample[]> => {
      const stampBody = await get('api/v1/query', { query: `timestamp(${upSelector})` });
      const stamps = parsed(() => parsePrometheusVector(stampBody));
      if (stamps.length === 0) {
        throw new ScrapeError(name, `no scrape target matches ${upSelector} (no up series): check the matchers`);
      }
      if (stamps.length > 1) {
        const which = stamps.map((e) => labelText(e.metric)).join(', ');
        throw new ScrapeError(name, `${upSelector} matches ${stamps.length} targets (${which}): add labels for one`);
      }
      const scrapedAtMs = Math.round(stamps[0]!.value * 1000);
      // evaluated at the scrape's own time: every sample is from that one scrape
      const body = await get('api/v1/query', { query: seriesSelector, time: (scrapedAtMs / 1000).toFixed(3) });
      const samples = parsed(() => parsePrometheusQueryResponse(body));
      const up = samples.find((s) => s.name === 'up');
      if (up === undefined) throw new ScrapeError(name, `${upSelector} vanished between two queries`);
      if (up.value !== 1) {
        const at = new Date(scrapedAtMs).toISOString();
        const why = await lastError(stamps[0]!.metric);
        throw new ScrapeError(
          name,
          `target ${labelText(up.labels)} is down in Prometheus (up == 0, scrape at ${at})${why ? `: ${why}` : ''}`
        );
      }
      return samples.filter((s) => s !== up).map((s) => ({ ...s, timestampMs: scrapedAtMs }));
    },
  };
}

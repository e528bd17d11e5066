import { ScrapeError } from '../errors.js';
import { parsePrometheusText } from '../telemetry/prometheus-text.js';
import type { Sample } from '../telemetry/prometheus-text.js';
import type { EngineSource } from './types.js';

export interface EngineMetricsOptions {
  /** The engine's metrics endpoint, e.g. `http://127.0.0.1:8000/metrics`. */
  url: string;
  timeoutMs?: number;
  engine?: 'vllm' | 'sim';
  model?: string;
}

/** Why fetch failed, in words an operator can act on (fetch itself only says "fetch failed"). */
export function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.code) return `cannot connect (${cause.code})`;
  return err instanceof Error ? (cause?.message ?? err.message) : String(err);
}

export function checkHttpUrl(url: string, option: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${option}: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new Error(`${option}: "${url}" must be http or https`);
  }
  return parsed;
}

/** Scrapes an engine's Prometheus text endpoint (vLLM `/metrics`, or the simulator's). */
export function engineMetricsSource(opts: EngineMetricsOptions): EngineSource {
  const url = checkHttpUrl(opts.url, 'engine metrics url').toString();
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const name = `metrics:${url}`;
  return {
    name,
    engine: opts.engine ?? 'vllm',
    ...(opts.model === undefined ? {} : { model: opts.model }),
    scrape: async (): Promise<Sample[]> => {
      let body: string;
      try {
        const res = await fetch(url, {
          signal: AbortSignal.timeout(timeoutMs),
          headers: { accept: 'text/plain;version=0.0.4' },
        });
        body = await res.text();
        if (!res.ok) throw new ScrapeError(name, `HTTP ${res.status}: ${body.slice(0, 200)}`);
      } catch (err) {
        if (err instanceof ScrapeError) throw err;
        throw new ScrapeError(name, describeFetchError(err, timeoutMs), { cause: err });
      }
      try {
        return parsePrometheusText(body).samples;
      } catch (err) {
        throw new ScrapeError(name, (err as Error).message, { cause: err });
      }
    },
  };
}

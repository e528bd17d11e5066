import type { Sample } from './prometheus-text.js';

/**
 * vLLM metric names across releases (shared/data/vllm/REFERENCE.md §2.2). Families are named
 * without the `_total`/`_bucket`/`_sum`/`_count`/`_created` suffix the client library adds.
 */

/** Old family → current family. */
export const VLLM_RENAMED: Readonly<Record<string, string>> = {
  // deprecated 0.9
  'vllm:gpu_cache_usage_perc': 'vllm:kv_cache_usage_perc',
  // deprecated 0.9; early V1 counted blocks, later tokens: a ratio of the two is still right
  'vllm:gpu_prefix_cache_queries': 'vllm:prefix_cache_queries',
  'vllm:gpu_prefix_cache_hits': 'vllm:prefix_cache_hits',
  // deprecated 0.11, hidden 0.12
  'vllm:time_per_output_token_seconds': 'vllm:inter_token_latency_seconds',
};

/** V0-only or removed families with no current equivalent; tolerated and ignored. */
export const VLLM_REMOVED: readonly string[] = [
  'vllm:num_requests_swapped',
  'vllm:cpu_cache_usage_perc',
  'vllm:gpu_prefix_cache_hit_rate',
  'vllm:cpu_prefix_cache_hit_rate',
  'vllm:avg_prompt_throughput_toks_per_s',
  'vllm:avg_generation_throughput_toks_per_s',
];

const SUFFIXES = ['_total', '_bucket', '_sum', '_count', '_created', ''] as const;

/** Splits an exposed sample name into a known family and its suffix, or undefined. */
function splitName(name: string, families: Iterable<string>): { family: string; suffix: string } | undefined {
  for (const family of families) {
    if (!name.startsWith(family)) continue;
    const suffix = name.slice(family.length);
    if ((SUFFIXES as readonly string[]).includes(suffix)) return { family, suffix };
  }
  return undefined;
}

export interface Normalized {
  samples: Sample[];
  /** Old families that were renamed in this scrape. */
  renamed: string[];
  /** Old families dropped because the current one was present too (vLLM exposes both during deprecation). */
  shadowed: string[];
}

/**
 * Maps old vLLM names to current ones and drops V0-only families. When a server exposes an
 * old and a current family side by side, the current one wins so nothing is counted twice.
 */
export function normalizeVllmNames(samples: readonly Sample[]): Normalized {
  const oldFamilies = Object.keys(VLLM_RENAMED);
  const present = new Set<string>();
  for (const s of samples) {
    const hit = splitName(s.name, Object.values(VLLM_RENAMED));
    if (hit) present.add(hit.family);
  }
  const renamed = new Set<string>();
  const shadowed = new Set<string>();
  const out: Sample[] = [];
  for (const s of samples) {
    if (splitName(s.name, VLLM_REMOVED)) continue;
    const old = splitName(s.name, oldFamilies);
    if (!old) {
      out.push(s);
      continue;
    }
    const current = VLLM_RENAMED[old.family]!;
    if (present.has(current)) {
      shadowed.add(old.family);
      continue;
    }
    renamed.add(old.family);
    out.push({ ...s, name: current + old.suffix });
  }
  return { samples: out, renamed: [...renamed], shadowed: [...shadowed] };
}

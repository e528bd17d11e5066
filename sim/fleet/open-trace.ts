import { compressTime, readAzureTrace, readMooncakeTrace, scaleRate, type RequestSource } from '../trace/index.js';

/**
 * Opens a trace file by its format (`.jsonl`: Mooncake, `.csv`: Azure LLM inference), with
 * optional time compression and rate scaling (seeded).
 */
export function openTrace(
  file: string,
  o: { speedUp?: number; rateScale?: number; seed?: number; format?: 'azure' | 'mooncake' } = {}
): RequestSource {
  const format = o.format ?? (file.endsWith('.jsonl') ? 'mooncake' : file.endsWith('.csv') ? 'azure' : undefined);
  if (!format) throw new Error(`${file}: cannot tell the trace format from the name; pass --format azure|mooncake`);
  let source: RequestSource = format === 'mooncake' ? readMooncakeTrace(file) : readAzureTrace(file);
  if (o.rateScale !== undefined && o.rateScale !== 1) source = scaleRate(source, o.rateScale, o.seed ?? 1);
  if (o.speedUp !== undefined && o.speedUp !== 1) source = compressTime(source, o.speedUp);
  return source;
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TelemetryParseError } from '../errors.js';
import { parsePrometheusText } from './prometheus-text.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/vllm/${name}`, import.meta.url), 'utf8');

describe('gpu-edge prometheus text', () => {
  it('reads HELP, TYPE, labels, +Inf, NaN, exponents and timestamps', () => {
    const text = [
      '# HELP http_requests_total The total number of HTTP requests.',
      '# TYPE http_requests_total counter',
      'http_requests_total{method="post",code="200"} 1027 1395066363000',
      'http_requests_total{method="post",code="400",} 3 1395066363000',
      '# a free comment',
      'msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9',
      'metric_without_timestamp_and_labels 12.47',
      'something_weird{problem="division by zero"} +Inf -3982045',
      '# TYPE rpc_duration_seconds histogram',
      'rpc_duration_seconds_bucket{le="+Inf"} 144320',
      'not_a_number NaN',
    ].join('\n');
    const { samples, families, elided } = parsePrometheusText(text);
    expect(elided).toBe(0);
    expect(families.get('http_requests_total')).toEqual({
      help: 'The total number of HTTP requests.',
      type: 'counter',
    });
    expect(families.get('rpc_duration_seconds')?.type).toBe('histogram');
    expect(samples[0]).toEqual({
      name: 'http_requests_total',
      labels: { method: 'post', code: '200' },
      value: 1027,
      timestampMs: 1395066363000,
    });
    expect(samples[1]!.labels).toEqual({ method: 'post', code: '400' });
    expect(samples[2]!.labels).toEqual({ path: 'C:\\DIR\\FILE.TXT', error: 'Cannot find file:\n"FILE.TXT"' });
    expect(samples[2]!.value).toBe(1458255915);
    expect(samples[3]).toEqual({ name: 'metric_without_timestamp_and_labels', labels: {}, value: 12.47 });
    expect(samples[4]).toMatchObject({ value: Infinity, timestampMs: -3982045 });
    expect(samples[5]!.labels.le).toBe('+Inf');
    expect(samples[6]!.value).toBeNaN();
  });

  it('skips the elision lines of the real vLLM design-doc sample and reads the rest', () => {
    // fixtures/vllm/vllm-metrics-sample.txt: 3 lines of "..." and 14 samples (1 + 1 + 3 + 9)
    const { samples, elided, families } = parsePrometheusText(fixture('vllm-metrics-sample.txt'));
    expect(elided).toBe(3);
    expect(samples).toHaveLength(14);
    expect(families.get('vllm:time_to_first_token_seconds')?.type).toBe('histogram');
    expect(samples.find((s) => s.name === 'vllm:generation_tokens_total')?.value).toBe(27453);
  });

  it('reads the real AIBrix sample (V0 names, cache_config_info labels)', () => {
    const { samples } = parsePrometheusText(fixture('vllm-metrics-sample-aibrix-v0.txt'));
    const cfg = samples.find((s) => s.name === 'vllm:cache_config_info')!;
    expect(cfg.labels).toMatchObject({ block_size: '16', num_gpu_blocks: '81767', swap_space_bytes: '4294967296' });
    expect(samples.find((s) => s.name === 'vllm:lora_requests_info')!.labels.running_lora_adapters).toBe('');
  });

  it.each([
    ['garbage text', 'this is not a sample', /line 2, field this: not a sample .*"this is not a sample"/],
    ['unterminated label value', 'x{a="b} 1', /line 2, field a: unterminated label value/],
    ['bad escape', 'x{a="\\t"} 1', /line 2, field a: invalid escape \\t/],
    ['a value that is no number', 'x{a="b"} twelve', /line 2, field x: "twelve" is not a number \(value\)/],
    ['missing value', 'x{a="b"}', /line 2, field x: expected a space before the value/],
    ['unknown type', '# TYPE x widget', /line 2, field x: unknown metric type "widget"/],
    ['fractional timestamp', 'x 1 12.5', /line 2, field x: "12.5" is not an integer \(ms\)/],
  ])('reports %s as an error naming the line', (_what, bad, message) => {
    const text = `ok_metric 1\n${bad}\n`;
    expect(() => parsePrometheusText(text)).toThrow(TelemetryParseError);
    expect(() => parsePrometheusText(text)).toThrow(message);
  });
});

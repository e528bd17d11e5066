import { describe, expect, it } from 'vitest';
import { parsePrometheusQueryResponse, prometheusApiSource, vllmSelector } from './prometheus-api-source.js';

describe('gpu-edge prometheus api source', () => {
  it('parses the instant-query example of the Prometheus HTTP API docs', () => {
    // prometheus.io/docs/prometheus/latest/querying/api/ "Instant queries" example response
    const body = {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          { metric: { __name__: 'up', job: 'prometheus', instance: 'localhost:9090' }, value: [1435781451.781, '1'] },
          { metric: { __name__: 'up', job: 'node', instance: 'localhost:9100' }, value: [1435781451.781, '0'] },
        ],
      },
    };
    expect(parsePrometheusQueryResponse(body)).toEqual([
      { name: 'up', labels: { job: 'prometheus', instance: 'localhost:9090' }, value: 1, timestampMs: 1435781451781 },
      { name: 'up', labels: { job: 'node', instance: 'localhost:9100' }, value: 0, timestampMs: 1435781451781 },
    ]);
  });

  it('reads +Inf and NaN values and keeps the le label of histogram buckets', () => {
    const body = {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [
          {
            metric: { __name__: 'vllm:e2e_request_latency_seconds_bucket', le: '+Inf', engine: '0', model_name: 'm' },
            value: [1764000000, '120'],
          },
          {
            metric: { __name__: 'vllm:kv_cache_usage_perc', engine: '0', model_name: 'm' },
            value: [1764000000, 'NaN'],
          },
        ],
      },
    };
    const [bucket, kv] = parsePrometheusQueryResponse(body);
    expect(bucket).toMatchObject({ labels: { le: '+Inf', engine: '0', model_name: 'm' }, value: 120 });
    expect(kv!.value).toBeNaN();
  });

  it('turns an error response and a malformed one into errors naming the reason or the field', () => {
    // error shape from the same docs page ("Format overview")
    expect(() =>
      parsePrometheusQueryResponse({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5' })
    ).toThrow('prometheus query failed: bad_data: parse error at char 5');
    expect(() =>
      parsePrometheusQueryResponse({ status: 'success', data: { resultType: 'matrix', result: [] } })
    ).toThrow(/data\.resultType/);
    expect(() =>
      parsePrometheusQueryResponse({
        status: 'success',
        data: { resultType: 'vector', result: [{ metric: { job: 'x' }, value: [1, '1'] }] },
      })
    ).toThrow(/data\.result\.0\.metric: needs __name__/);
  });

  it('builds a selector for every vLLM series of one engine and its up, and refuses a base URL that is not http', () => {
    expect(vllmSelector('job="vllm",instance="10.0.0.5:8000"')).toBe(
      '{__name__=~"vllm:.+|up",job="vllm",instance="10.0.0.5:8000"}'
    );
    expect(vllmSelector('')).toBe('{__name__=~"vllm:.+|up"}');
    expect(() => prometheusApiSource({ baseUrl: 'ftp://prom', matchers: '' })).toThrow(
      'prometheus base url: "ftp://prom" must be http or https'
    );
  });
});

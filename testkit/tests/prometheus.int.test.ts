import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { prometheusConfig, startPrometheus } from '../index.js';

describe('testkit startPrometheus', () => {
  it('scrapes a target every interval and answers queries on a loopback port; stop removes its files', async () => {
    let scrapes = 0;
    const target = createServer((_req, res) => {
      scrapes++;
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(`probe_scrapes_total ${scrapes}\n`);
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const address = `127.0.0.1:${(target.address() as AddressInfo).port}`;
    try {
      const prom = await startPrometheus({ scrapeTargets: [{ job: 'probe', address }], scrapeIntervalMs: 200 });
      expect(prom.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const [t] = await prom.waitForScrapes();
      expect(t).toMatchObject({ labels: { job: 'probe', instance: address }, scrapeUrl: `http://${address}/metrics` });
      const res = await fetch(`${prom.url}/api/v1/query?query=${encodeURIComponent('probe_scrapes_total')}`);
      const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
      expect(Number(body.data.result[0]!.value[1])).toBeGreaterThanOrEqual(1);
      expect(prom.getLog()).toContain('Server is ready to receive web requests');
      const tsdb = ((await (await fetch(`${prom.url}/api/v1/status/flags`)).json()) as { data: Record<string, string> })
        .data['storage.tsdb.path']!;
      expect(existsSync(tsdb)).toBe(true);
      await prom.stop();
      expect(existsSync(tsdb)).toBe(false);
    } finally {
      target.closeAllConnections();
      await new Promise<void>((resolve) => target.close(() => resolve()));
    }
  });

  it('refuses bad options naming the field and the rule', () => {
    const job = { job: 'vllm', address: '127.0.0.1:8000' };
    expect(() => prometheusConfig({ scrapeTargets: [] })).toThrow('scrapeTargets must name at least one target');
    expect(() => prometheusConfig({ scrapeTargets: [job], scrapeIntervalMs: 50 })).toThrow(
      'scrapeIntervalMs must be an integer ≥ 100 (ms), got 50'
    );
    expect(() => prometheusConfig({ scrapeTargets: [{ job: 'vllm', address: 'http://x:1' }] })).toThrow(
      'scrapeTargets[0].address "http://x:1" must be host:port'
    );
    expect(JSON.parse(prometheusConfig({ scrapeTargets: [job, { ...job, address: 'h:9' }] }))).toEqual({
      global: { scrape_interval: '1000ms', scrape_timeout: '1000ms', evaluation_interval: '1000ms' },
      scrape_configs: [
        { job_name: 'vllm', metrics_path: '/metrics', static_configs: [{ targets: ['127.0.0.1:8000', 'h:9'] }] },
      ],
    });
  });
});

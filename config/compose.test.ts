import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ENV_VARS, PROCESSES } from './env.js';

// docker-compose cannot run here (no Docker engine); this keeps it in step with the launcher.
const compose = parse(readFileSync(new URL('../docker-compose.yml', import.meta.url), 'utf8')) as {
  services: Record<
    string,
    { image?: string; build?: unknown; command?: string[]; environment?: Record<string, string> }
  >;
};

describe('docker-compose.yml', () => {
  it('runs every process the launcher starts, with the same variable names', () => {
    for (const [name, proc] of Object.entries(PROCESSES)) {
      const svc = compose.services[name];
      expect(svc, `service ${name}`).toBeDefined();
      expect(svc!.build, `${name} is built from the Dockerfile`).toBeDefined();
      expect(svc!.command).toEqual(['serve', name]);
      expect(Object.keys(svc!.environment ?? {}).sort()).toEqual([...proc.env].sort());
    }
  });

  it('names only variables the config code knows', () => {
    for (const svc of Object.values(compose.services)) {
      for (const k of Object.keys(svc.environment ?? {}).filter((k) => k.startsWith('OI_'))) {
        expect(Object.keys(ENV_VARS)).toContain(k);
      }
    }
  });

  it('pins the server versions INFRA.md requires', () => {
    expect(compose.services.nats?.image).toMatch(/^nats:2\.10(\.\d+)?(-alpine)?$/);
    expect(compose.services.postgres?.image).toMatch(/^pgvector\/pgvector:0\.8\.\d+-pg15$/);
    expect(compose.services.clickhouse?.image).toMatch(/^clickhouse\/clickhouse-server:26\.7/);
    expect(compose.services.qdrant?.image).toMatch(/^qdrant\/qdrant:v\d+\.\d+\.\d+$/);
    expect(compose.services.grafana?.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
  });

  it('gives NATS JetStream and Grafana the ClickHouse plugin', () => {
    expect(compose.services.nats?.command).toContain('-js');
    expect(compose.services.grafana?.environment?.GF_INSTALL_PLUGINS).toContain('grafana-clickhouse-datasource');
  });
});

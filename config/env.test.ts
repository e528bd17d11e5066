import { describe, expect, it } from 'vitest';
import { ENV_VARS, PROCESSES, loadConfig } from './env.js';

describe('config loadConfig', () => {
  it('uses defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c.natsUrl).toBe(ENV_VARS.OI_NATS_URL.default);
    expect(c.partitions).toBe(64);
  });

  it('names the variable and the rule on a bad value', () => {
    expect(() => loadConfig({ OI_PARTITIONS: 'many' })).toThrow(/OI_PARTITIONS="many": OI_PARTITIONS must be a number/);
    expect(() => loadConfig({ OI_PARTITIONS: '2000' })).toThrow(/OI_PARTITIONS must be <= 1024/);
    expect(() => loadConfig({ OI_PG_URL: 'mysql://x' })).toThrow(/OI_PG_URL must start with postgres/);
  });

  it('lists only known variables per process', () => {
    for (const p of Object.values(PROCESSES)) for (const v of p.env) expect(ENV_VARS).toHaveProperty(v);
  });
});

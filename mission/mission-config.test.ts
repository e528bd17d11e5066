import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { readFileSync } from 'node:fs';
import { DEFAULT_MISSION_FILE, loadMissionConfig, parseMissionConfig, traceFile, tracesDir } from './mission-config.js';

const raw = (): Record<string, unknown> =>
  parseYaml(readFileSync(DEFAULT_MISSION_FILE, 'utf8')) as Record<string, unknown>;

describe('mission config', () => {
  it('the committed mission.yaml parses and names three traces that exist', async () => {
    const c = await loadMissionConfig();
    expect(c.traces.map((t) => t.name)).toEqual(['azure-conv', 'azure-code', 'mooncake']);
    for (const t of c.traces) expect(existsSync(traceFile(t)), t.file).toBe(true);
    expect(c.slo).toMatchObject({ ttftSec: 3, tpotSec: 0.1 });
  });

  it('finds traces through OI_TRACES_DIR when set', () => {
    expect(tracesDir({ OI_TRACES_DIR: '/data/traces' })).toBe('/data/traces');
    expect(traceFile({ name: 'x', file: 'a/b.csv', rateScale: 1, maxModelLen: 1 }, { OI_TRACES_DIR: '/d' })).toBe(
      '/d/a/b.csv'
    );
  });

  it('refuses bad input naming the field and the rule', () => {
    expect(() => parseMissionConfig({ ...raw(), seed: -1 })).toThrow(/seed: .*>=0/);
    expect(() => parseMissionConfig({ ...raw(), typo: 1 })).toThrow(/Unrecognized key/);
    const r = raw();
    const traces = r.traces as Array<Record<string, unknown>>;
    expect(() => parseMissionConfig({ ...r, traces: [{ ...traces[0], name: 'Bad Name' }] })).toThrow(
      /traces\.0\.name: lowercase/
    );
    expect(() =>
      parseMissionConfig({ ...r, allowed: { instanceTypes: ['aws:p5.4xlarge'], purchaseOptions: ['reserved'] } })
    ).toThrow(/allowed\.purchaseOptions: reserved/);
    expect(() =>
      parseMissionConfig({ ...r, baseline: { instanceType: 'aws:g5.xlarge', purchaseOption: 'on_demand' } })
    ).toThrow(/baseline\.instanceType/);
  });
});

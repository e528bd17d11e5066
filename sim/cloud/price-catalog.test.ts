import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildInstanceTypes } from './instance-types.js';
import { PRICE_CATALOG } from './price-catalog.js';
import { formatPriceTable, priceTable } from './price-table.js';
import { SIM_CLOUD_ASSUMPTIONS, interruptionsPerHourOf } from './sim-cloud-assumptions.js';

const PRICES_MD = '/work/shared/data/gpu-prices.md';

/** The §1 table of gpu-prices.md, keyed `provider|instance|region`, read independently of the catalog. */
function compactTable(): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of readFileSync(PRICES_MD, 'utf8').split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| provider') || line.startsWith('|---')) continue;
    const cells = line.split('|').map((c) => c.trim());
    // cells[0] is empty (leading pipe): provider, instance, region, gpus, gpu_model, gpu_mem_gb, od, od_gpu, spot
    if (cells.length < 19) continue;
    rows.set(`${cells[1]}|${cells[2]}|${cells[3]}`, cells.slice(1));
  }
  return rows;
}

describe('sim/cloud price catalog', () => {
  it('carries the on-demand and spot figures of gpu-prices.md §1 for every row', () => {
    const table = compactTable();
    for (const row of PRICE_CATALOG) {
      const key = `${row.provider}|${row.name}|${row.region}`;
      // a few instance cells carry a note, e.g. `1x_A100-80GB_SECURE (PCIe)`
      const md = table.get(key) ?? [...table].find(([k]) => k.startsWith(`${row.provider}|${row.name} (`))?.[1];
      expect(md, `row ${key} in gpu-prices.md`).toBeDefined();
      expect(Number(md![3]), `${key} gpus`).toBe(row.gpuCount);
      expect(parseFloat(md![6]!.replace('≈', '')), `${key} od`).toBeCloseTo(row.onDemand.usdPerHour, 6);
      if (row.spot && row.spot !== 'assume') {
        expect(parseFloat(md![8]!), `${key} spot`).toBeCloseTo(row.spot.usdPerHour, 6);
      }
      if (row.spot === 'assume') expect(md![8]!.startsWith('-'), `${key} has no spot figure`).toBe(true);
    }
  });

  it('carries the AWS 1-year reserved figures of gpu-prices.md §3.3, or §1 discounts where §3.3 has no row', () => {
    const text = readFileSync(PRICES_MD, 'utf8');
    const section = text.slice(text.indexOf('### 3.3'), text.indexOf('### 3.4'));
    const ri = new Map(
      section
        .split('\n')
        .filter((l) => l.startsWith('| ') && !l.startsWith('| instance'))
        .map((l) => l.split('|').map((c) => c.trim()))
        .map((c) => [c[1]!, c] as const)
    );
    const table = compactTable();
    let checked = 0;
    for (const row of PRICE_CATALOG.filter((r) => r.provider === 'aws' && r.reserved1y && r.reserved1y !== 'assume')) {
      const fig = row.reserved1y as Exclude<typeof row.reserved1y, 'assume' | undefined>;
      const s33 = ri.get(row.name);
      if (fig.basis.startsWith('derived')) {
        const pct = parseFloat(table.get(`aws|${row.name}|${row.region}`)![10]!);
        expect(fig.usdPerHour, row.name).toBeCloseTo(row.onDemand.usdPerHour * (1 - pct / 100), 5);
      } else if (fig.basis.includes('Convertible')) {
        // columns: instance, od, 1-yr Std NU, 1-yr Std AU, 3-yr Std NU, 3-yr Std AU, 1-yr Conv NU, 3-yr Conv AU
        expect(parseFloat(s33![7]!), row.name).toBeCloseTo(fig.usdPerHour, 6);
      } else {
        expect(parseFloat(s33![3]!), row.name).toBeCloseTo(fig.usdPerHour, 6);
      }
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });

  it('labels every price with a source and a date, and assumed prices as assumptions', () => {
    const types = buildInstanceTypes();
    expect(types.length).toBe(PRICE_CATALOG.length);
    for (const t of types) {
      expect(t.prices.on_demand).toBeDefined();
      for (const q of Object.values(t.prices)) {
        expect(q.source.length).toBeGreaterThan(0);
        expect(q.asOf.length).toBeGreaterThan(0);
        expect(q.basis.length).toBeGreaterThan(0);
        if (q.assumed) expect(q.source).toMatch(/^assumption/);
      }
    }
    // p5.4xlarge has no spot figure in the file (§1): on-demand 6.88 × (1 − spot discount assumption)
    const p5 = types.find((t) => t.id === 'aws:p5.4xlarge')!;
    expect(p5.prices.spot!.assumed).toBe(true);
    expect(p5.prices.spot!.usdPerHour).toBeCloseTo(6.88 * (1 - SIM_CLOUD_ASSUMPTIONS.spotDiscountFraction.value), 6);
    // Lambda sells no spot in the catalog: not offered rather than invented
    expect(types.find((t) => t.id === 'lambda:gpu_1x_h100_sxm5')!.prices.spot).toBeUndefined();
  });

  it('turns a Spot Advisor bucket into a Poisson rate whose monthly interruption chance is the bucket midpoint', () => {
    // ">20%" is taken as 25% of instances interrupted per 730-hour month
    expect(1 - Math.exp(-interruptionsPerHourOf('>20%') * 730)).toBeCloseTo(0.25, 9);
    expect(1 - Math.exp(-interruptionsPerHourOf('5-10%') * 730)).toBeCloseTo(0.075, 9);
    expect(interruptionsPerHourOf('<5%')).toBeLessThan(interruptionsPerHourOf('15-20%'));
  });

  it('prints every priced option and every assumption', () => {
    const rows = priceTable(buildInstanceTypes());
    const text = formatPriceTable(rows);
    for (const r of rows) expect(text).toContain(r.instanceType);
    for (const name of Object.keys(SIM_CLOUD_ASSUMPTIONS)) expect(text).toContain(name);
    expect(rows.filter((r) => r.instanceType === 'aws:g5.xlarge').map((r) => r.purchaseOption)).toEqual([
      'on_demand',
      'spot',
      'reserved',
    ]);
  });
});

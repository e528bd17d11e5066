import { SIM_CLOUD_ASSUMPTIONS, type Assumed } from './sim-cloud-assumptions.js';
import type { InstanceType, PurchaseOption } from './types.js';

export interface PriceTableRow {
  instanceType: string;
  gpus: string;
  purchaseOption: PurchaseOption;
  usdPerHour: number;
  usdPerGpuHour: number;
  assumed: boolean;
  source: string;
  asOf: string;
  basis: string;
}

const OPTIONS: readonly PurchaseOption[] = ['on_demand', 'spot', 'reserved'];

/** One row per instance type and purchase option offered: the prices a run uses. */
export function priceTable(types: readonly InstanceType[]): PriceTableRow[] {
  const rows: PriceTableRow[] = [];
  for (const t of types) {
    for (const option of OPTIONS) {
      const q = t.prices[option];
      if (!q) continue;
      rows.push({
        instanceType: t.id,
        gpus: `${t.gpuCount}x ${t.gpuId}`,
        purchaseOption: option,
        usdPerHour: q.usdPerHour,
        usdPerGpuHour: Math.round((q.usdPerHour / t.gpuCount) * 1e4) / 1e4,
        assumed: q.assumed,
        source: q.source,
        asOf: q.asOf,
        basis: q.basis,
      });
    }
  }
  return rows;
}

/** The price table and the assumptions as plain text, for every run's log. */
export function formatPriceTable(
  rows: readonly PriceTableRow[],
  assumptions: Record<string, Assumed<unknown>> = SIM_CLOUD_ASSUMPTIONS
): string {
  const header = ['instance type', 'gpus', 'option', 'usd/h', 'usd/gpu-h', 'as of', 'source (basis)'];
  const body = rows.map((r) => [
    r.instanceType,
    r.gpus,
    r.assumed ? `${r.purchaseOption}*` : r.purchaseOption,
    r.usdPerHour.toFixed(4),
    r.usdPerGpuHour.toFixed(4),
    r.asOf,
    `${r.source} (${r.basis})`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const lines = [line(header), ...body.map(line), '', '* = assumed price, not a catalog figure. Assumptions:'];
  for (const [name, a] of Object.entries(assumptions)) lines.push(`  ${name} = ${String(a.value)}: ${a.basis}`);
  return lines.join('\n');
}

import { PRICE_CATALOG, type CatalogFigure, type CatalogRow } from './price-catalog.js';
import { SIM_CLOUD_ASSUMPTIONS, interruptionsPerHourOf } from './sim-cloud-assumptions.js';
import type { InstanceType, PriceQuote } from './types.js';

export interface PriceAssumptions {
  spotDiscountFraction: number;
  reservedDiscountFraction: number;
}

function zonesOf(row: CatalogRow): string[] {
  switch (row.provider) {
    case 'aws':
      return ['a', 'b', 'c'].map((z) => `${row.region}${z}`);
    case 'gcp':
      return ['a', 'b', 'c'].map((z) => `${row.region}-${z}`);
    case 'azure':
      return ['1', '2', '3'].map((z) => `${row.region}-${z}`);
    default:
      return [row.region];
  }
}

function quote(fig: CatalogFigure): PriceQuote {
  return { ...fig, assumed: false };
}

function assumedQuote(onDemand: CatalogFigure, discount: number, basis: string): PriceQuote {
  return {
    usdPerHour: Math.round(onDemand.usdPerHour * (1 - discount) * 1e6) / 1e6,
    source: `assumption (discount ${discount}) on ${onDemand.source}`,
    asOf: onDemand.asOf,
    assumed: true,
    basis,
  };
}

/** The catalog's instance types; an option sold but unpriced in the file gets an assumed price. */
export function buildInstanceTypes(
  assumptions: PriceAssumptions = {
    spotDiscountFraction: SIM_CLOUD_ASSUMPTIONS.spotDiscountFraction.value,
    reservedDiscountFraction: SIM_CLOUD_ASSUMPTIONS.reservedDiscountFraction.value,
  },
  rows: readonly CatalogRow[] = PRICE_CATALOG
): InstanceType[] {
  return rows.map((row) => {
    const prices: InstanceType['prices'] = { on_demand: quote(row.onDemand) };
    if (row.spot === 'assume') {
      prices.spot = assumedQuote(
        row.onDemand,
        assumptions.spotDiscountFraction,
        SIM_CLOUD_ASSUMPTIONS.spotDiscountFraction.basis
      );
    } else if (row.spot) prices.spot = quote(row.spot);
    if (row.reserved1y === 'assume') {
      prices.reserved = assumedQuote(
        row.onDemand,
        assumptions.reservedDiscountFraction,
        SIM_CLOUD_ASSUMPTIONS.reservedDiscountFraction.basis
      );
    } else if (row.reserved1y) prices.reserved = quote(row.reserved1y);
    const type: InstanceType = {
      id: `${row.provider}:${row.name}`,
      provider: row.provider,
      name: row.name,
      region: row.region,
      zones: zonesOf(row),
      gpuId: row.gpuId,
      gpuCount: row.gpuCount,
      gpuMemoryGb: row.gpuMemGb,
      prices,
    };
    if (prices.spot) {
      const bucket = row.interruption?.bucket ?? SIM_CLOUD_ASSUMPTIONS.defaultInterruptionBucket.value;
      type.spotInterruptionsPerHour = {
        value: interruptionsPerHourOf(bucket),
        basis: row.interruption
          ? `Spot Advisor bucket ${bucket} (${row.interruption.source}, ${row.interruption.asOf}) at its midpoint`
          : SIM_CLOUD_ASSUMPTIONS.defaultInterruptionBucket.basis,
      };
    }
    return type;
  });
}

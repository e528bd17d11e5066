/**
 * sim/cloud — the cloud-provider interface the cloud executor talks to, and a simulated,
 * priced implementation on simulated time (DESIGN.md "Time": no wall clock).
 *
 * Prices come from gpu-prices.md with their source and date (`PRICE_CATALOG`); anything the file
 * lacks is a labelled assumption (`SIM_CLOUD_ASSUMPTIONS`). Print `formatPriceTable(cloud.priceTable())`
 * at the start of every run.
 */
export type { CloudProvider } from './cloud-provider.js';
export { CloudError, CloudErrorCode, isCloudError } from './cloud-error.js';
export { PRICE_CATALOG } from './price-catalog.js';
export type { CatalogFigure, CatalogRow, InterruptionBucket } from './price-catalog.js';
export { SIM_CLOUD_ASSUMPTIONS, interruptionsPerHourOf } from './sim-cloud-assumptions.js';
export type { Assumed } from './sim-cloud-assumptions.js';
export { buildInstanceTypes } from './instance-types.js';
export type { PriceAssumptions } from './instance-types.js';
export { formatPriceTable, priceTable } from './price-table.js';
export type { PriceTableRow } from './price-table.js';
export { billedSeconds, reservationUsd, usdFor } from './billing.js';
export { SimCloud } from './sim-cloud.js';
export type { SimCloudConfig } from './sim-cloud.js';
export { InstanceState } from './types.js';
export type {
  CloudEvent,
  CostReport,
  InstanceDescription,
  InstanceType,
  LaunchOptions,
  PriceQuote,
  PurchaseOption,
  Reservation,
  TerminationReason,
} from './types.js';

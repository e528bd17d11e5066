import type { InterruptionBucket } from './price-catalog.js';

/** A value the price file does not give, with why it was chosen; printed with the price table. */
export interface Assumed<T> {
  value: T;
  basis: string;
}

/**
 * Every number the simulated cloud uses that is not a catalog figure. Change them per run through
 * `SimCloudConfig`; the defaults are here so the price table can print them.
 */
export const SIM_CLOUD_ASSUMPTIONS = {
  spotDiscountFraction: {
    value: 0.6,
    basis:
      'assumption: spot = on-demand × (1 − 0.60), near the median spot_disc of the AWS rows of gpu-prices.md §1 (48.9–72.3%); only where a provider sells spot but the file has no figure',
  },
  reservedDiscountFraction: {
    value: 0.37,
    basis:
      'assumption: 1-yr commitment = on-demand × (1 − 0.37), the AWS 1-yr Standard RI no-upfront discount of g5/g6e (37.0%, V 2025-11-30); GCP gives only "up to 57%" (GCP-CUD), Azure none',
  },
  nodeStartSec: {
    value: 180,
    basis: 'assumption: GPU VM from launch request to booted OS with drivers, ~3 min; not in gpu-prices.md',
  },
  diskBytesPerSec: {
    value: 1e9,
    basis: 'assumption: model weights read at 1 GB/s (EBS gp3 tops out near 1,000 MiB/s; local NVMe is faster)',
  },
  interruptionNoticeSec: {
    value: 120,
    basis: 'AWS 2-minute spot interruption notice (gpu-prices.md §3.2 notes, Karpenter docs PR #7920)',
  },
  minimumBilledSec: {
    value: 60,
    basis: 'assumption: per-second billing with a 60 s minimum per instance, as EC2 Linux bills; not in gpu-prices.md',
  },
  reservedTermSec: {
    value: 365 * 24 * 3600,
    basis: '1-year commitment = 8,760 h (V-doc: RI effective hourly = hourly + upfront / (years × 8760))',
  },
  defaultInterruptionBucket: {
    value: '10-15%',
    basis:
      'assumption: where no AWS Spot Advisor bucket exists (non-AWS clouds, p5.4xlarge), the middle bucket 10-15% of instances interrupted per month',
  },
} as const satisfies Record<string, Assumed<unknown>>;

/** Midpoint share of instances reclaimed per month for each Spot Advisor bucket (`>20%` taken as 25%). */
const BUCKET_MONTHLY_SHARE: Record<InterruptionBucket, number> = {
  '<5%': 0.025,
  '5-10%': 0.075,
  '10-15%': 0.125,
  '15-20%': 0.175,
  '>20%': 0.25,
};

const HOURS_PER_MONTH = 730;

/**
 * Poisson rate per instance-hour whose chance of at least one interruption in a month equals the
 * bucket's midpoint: 1 − exp(−λ·730) = p.
 */
export function interruptionsPerHourOf(bucket: InterruptionBucket): number {
  return -Math.log(1 - BUCKET_MONTHLY_SHARE[bucket]) / HOURS_PER_MONTH;
}

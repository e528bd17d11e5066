/**
 * GPU instance prices as read in /work/shared/data/gpu-prices.md (§1 table, §3 details). Each figure
 * keeps its source key (gpu-prices.md §2) and date. `'assume'` marks an option the provider offers but
 * for which the file has no figure: sim-cloud-assumptions.ts fills it with a labelled assumption.
 * An absent option is not offered (Lambda has no spot market in the catalog).
 */

export interface CatalogFigure {
  usdPerHour: number;
  source: string;
  asOf: string;
  basis: string;
}

/** AWS Spot Instance Advisor "frequency of interruption" bucket (share of instances reclaimed per month). */
export type InterruptionBucket = '<5%' | '5-10%' | '10-15%' | '15-20%' | '>20%';

export interface CatalogRow {
  provider: 'aws' | 'gcp' | 'azure' | 'lambda' | 'runpod';
  name: string;
  region: string;
  gpuId: string;
  gpuCount: number;
  gpuMemGb: number;
  confidence: string;
  onDemand: CatalogFigure;
  spot?: CatalogFigure | 'assume';
  reserved1y?: CatalogFigure | 'assume';
  interruption?: { bucket: InterruptionBucket; source: string; asOf: string };
}

const K = 'K: Karpenter zz_generated.pricing_aws.go @6fc13b52, us-east-1 on-demand';
const K_DATE = '2026-07-20';
const V = 'V: ec2instances.info JSON vendored in tsaol/aws-gpu @2d0108c7, us-east-1';
const V_DATE = '2025-11-30';
const SG = 'SG: SkyPilot catalog v7 gcp/vms.csv (host row + GPU row)';
const SA = 'SA: SkyPilot catalog v6 azure/vms.csv';
const SL = 'SL: SkyPilot catalog v7 lambda/vms.csv';
const SR = 'SR: SkyPilot catalog v7 runpod/vms.csv';
const UNKNOWN = 'unknown';

const k = (usdPerHour: number): CatalogFigure => ({ usdPerHour, source: K, asOf: K_DATE, basis: 'on-demand list' });
const vSpot = (usdPerHour: number): CatalogFigure => ({
  usdPerHour,
  source: V,
  asOf: V_DATE,
  basis: 'spot_avg across AZs, point in time',
});
const vRi = (usdPerHour: number, basis = '1-yr Standard RI, no upfront, effective hourly'): CatalogFigure => ({
  usdPerHour,
  source: V,
  asOf: V_DATE,
  basis,
});
/** RI discount % from the §1 table applied to on-demand (derived, as the file says for sibling sizes). */
const vRiPct = (od: number, pct: number): CatalogFigure => ({
  usdPerHour: Math.round(od * (1 - pct / 100) * 1e6) / 1e6,
  source: V,
  asOf: V_DATE,
  basis: `derived: on-demand × (1 − ${pct}%) 1-yr Standard RI no upfront`,
});
const intr = (bucket: InterruptionBucket): CatalogRow['interruption'] => ({ bucket, source: V, asOf: V_DATE });
const fig = (usdPerHour: number, source: string, basis: string): CatalogFigure => ({
  usdPerHour,
  source,
  asOf: UNKNOWN,
  basis,
});

export const PRICE_CATALOG: readonly CatalogRow[] = [
  // prettier-ignore
  { provider: 'aws', name: 'g5.xlarge', region: 'us-east-1', gpuId: 'A10G', gpuCount: 1, gpuMemGb: 24, confidence: 'high / med-high',
    onDemand: k(1.006), spot: vSpot(0.3939), reserved1y: vRi(0.6338), interruption: intr('>20%') },
  // prettier-ignore
  { provider: 'aws', name: 'g5.12xlarge', region: 'us-east-1', gpuId: 'A10G', gpuCount: 4, gpuMemGb: 24, confidence: 'high / med-high',
    onDemand: k(5.672), spot: vSpot(2.137), reserved1y: vRiPct(5.672, 37.0), interruption: intr('>20%') },
  // prettier-ignore
  { provider: 'aws', name: 'g5.48xlarge', region: 'us-east-1', gpuId: 'A10G', gpuCount: 8, gpuMemGb: 24, confidence: 'high / med-high',
    onDemand: k(16.288), spot: vSpot(5.647), reserved1y: vRi(10.2614), interruption: intr('>20%') },
  // prettier-ignore
  { provider: 'aws', name: 'g6.xlarge', region: 'us-east-1', gpuId: 'L4', gpuCount: 1, gpuMemGb: 24, confidence: 'high / med-high',
    onDemand: k(0.8048), spot: vSpot(0.3558), reserved1y: vRi(0.5239), interruption: intr('>20%') },
  // prettier-ignore
  { provider: 'aws', name: 'g6.12xlarge', region: 'us-east-1', gpuId: 'L4', gpuCount: 4, gpuMemGb: 24, confidence: 'high / med-high',
    onDemand: k(4.6016), spot: vSpot(1.8657), reserved1y: vRiPct(4.6016, 34.9), interruption: intr('5-10%') },
  // prettier-ignore
  { provider: 'aws', name: 'g6e.xlarge', region: 'us-east-1', gpuId: 'L40S', gpuCount: 1, gpuMemGb: 48, confidence: 'high / med-high',
    onDemand: k(1.861), spot: vSpot(0.8761), reserved1y: vRi(1.1724), interruption: intr('>20%') },
  // prettier-ignore
  { provider: 'aws', name: 'g6e.12xlarge', region: 'us-east-1', gpuId: 'L40S', gpuCount: 4, gpuMemGb: 48, confidence: 'high / med-high',
    onDemand: k(10.49264), spot: vSpot(3.8199), reserved1y: vRiPct(10.49264, 37.0), interruption: intr('>20%') },
  // prettier-ignore
  { provider: 'aws', name: 'p4de.24xlarge', region: 'us-east-1', gpuId: 'A100-80GB', gpuCount: 8, gpuMemGb: 80, confidence: 'high / med-high',
    onDemand: k(27.44705), spot: vSpot(13.3483), reserved1y: vRi(17.4014), interruption: intr('5-10%') },
  // prettier-ignore
  { provider: 'aws', name: 'p5.48xlarge', region: 'us-east-1', gpuId: 'H100-SXM', gpuCount: 8, gpuMemGb: 80, confidence: 'high / med-high',
    onDemand: k(55.04), spot: vSpot(28.1065),
    reserved1y: vRi(43.344, '1-yr Convertible RI, no upfront, effective hourly (1-yr Standard not listed)'), interruption: intr('5-10%') },
  // prettier-ignore
  { provider: 'aws', name: 'p5.4xlarge', region: 'us-east-1', gpuId: 'H100-SXM', gpuCount: 1, gpuMemGb: 80, confidence: 'high / med-high',
    onDemand: k(6.88), spot: 'assume',
    reserved1y: vRi(5.418, '1-yr Convertible RI, no upfront, effective hourly (1-yr Standard not listed)') },
  // prettier-ignore
  { provider: 'aws', name: 'p5en.48xlarge', region: 'us-east-1', gpuId: 'H200', gpuCount: 8, gpuMemGb: 141, confidence: 'high / med-high',
    onDemand: k(63.296), spot: vSpot(17.502), reserved1y: 'assume', interruption: intr('10-15%') },
  // prettier-ignore
  { provider: 'gcp', name: 'a2-ultragpu-1g', region: 'us-east5', gpuId: 'A100-80GB', gpuCount: 1, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(5.52382, SG, 'derived: host 1.09962 + GPU 4.4242'), spot: fig(1.54076, SG, 'derived: host 0.28356 + GPU 1.2572'),
    reserved1y: 'assume' },
  // prettier-ignore
  { provider: 'gcp', name: 'a3-highgpu-8g', region: 'us-east4', gpuId: 'H100-SXM', gpuCount: 8, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(87.83247, SG, 'derived: host 9.46006 + GPU 78.37241'), spot: fig(15.80912, SG, 'derived: host 1.70352 + GPU 14.1056'),
    reserved1y: 'assume' },
  // prettier-ignore
  { provider: 'gcp', name: 'a3-ultragpu-8g', region: 'us-central1', gpuId: 'H200', gpuCount: 8, gpuMemGb: 141, confidence: 'med-low',
    onDemand: fig(86.75992, SG, 'derived: host 12.266 + GPU 74.49392'), spot: fig(32.61871, SG, 'derived: host 2.82111 + GPU 29.7976'),
    reserved1y: 'assume' },
  // prettier-ignore
  { provider: 'gcp', name: 'g2-standard-4', region: 'us-central1', gpuId: 'L4', gpuCount: 1, gpuMemGb: 24, confidence: 'med',
    onDemand: fig(0.70683, SG, 'derived: host 0.14679 + GPU 0.56004'), spot: fig(0.28184, SG, 'derived: host 0.05874 + GPU 0.2231'),
    reserved1y: 'assume' },
  // prettier-ignore
  { provider: 'azure', name: 'Standard_NC24ads_A100_v4', region: 'eastus', gpuId: 'A100-80GB', gpuCount: 1, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(3.673, SA, 'pay-as-you-go'), spot: fig(0.444433, SA, 'spot'), reserved1y: 'assume' },
  // prettier-ignore
  { provider: 'azure', name: 'Standard_ND96amsr_A100_v4', region: 'eastus', gpuId: 'A100-80GB', gpuCount: 8, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(32.77, SA, 'pay-as-you-go'), spot: fig(3.6047, SA, 'spot'), reserved1y: 'assume' },
  // prettier-ignore
  { provider: 'azure', name: 'Standard_ND96isr_H100_v5', region: 'eastus', gpuId: 'H100-SXM', gpuCount: 8, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(98.32, SA, 'pay-as-you-go'), spot: 'assume', reserved1y: 'assume' },
  // prettier-ignore
  { provider: 'lambda', name: 'gpu_1x_h100_sxm5', region: 'us-east-1', gpuId: 'H100-SXM', gpuCount: 1, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(3.29, SL, 'on-demand') },
  // prettier-ignore
  { provider: 'lambda', name: 'gpu_8x_h100_sxm5', region: 'us-east-1', gpuId: 'H100-SXM', gpuCount: 8, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(23.92, SL, 'on-demand') },
  // prettier-ignore
  { provider: 'lambda', name: 'gpu_1x_h100_pcie', region: 'us-east-1', gpuId: 'H100-PCIe', gpuCount: 1, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(2.49, SL, 'on-demand') },
  // prettier-ignore
  { provider: 'lambda', name: 'gpu_8x_a100_80gb_sxm4', region: 'us-east-1', gpuId: 'A100-80GB', gpuCount: 8, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(14.32, SL, 'on-demand') },
  // prettier-ignore
  { provider: 'runpod', name: '8x_H100-SXM_SECURE', region: 'US', gpuId: 'H100-SXM', gpuCount: 8, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(23.92, SR, 'secure cloud'), spot: fig(21.52, SR, 'spot (interruptible)') },
  // prettier-ignore
  { provider: 'runpod', name: '1x_H200-SXM_SECURE', region: 'US', gpuId: 'H200', gpuCount: 1, gpuMemGb: 141, confidence: 'med',
    onDemand: fig(3.99, SR, 'secure cloud'), spot: fig(3.59, SR, 'spot (interruptible)') },
  // prettier-ignore
  { provider: 'runpod', name: '1x_A100-80GB_SECURE', region: 'US', gpuId: 'A100-80GB', gpuCount: 1, gpuMemGb: 80, confidence: 'med',
    onDemand: fig(1.64, SR, 'secure cloud (PCIe)'), spot: fig(1.19, SR, 'spot (interruptible)') },
  // prettier-ignore
  { provider: 'runpod', name: '1x_L4_SECURE', region: 'US', gpuId: 'L4', gpuCount: 1, gpuMemGb: 24, confidence: 'med',
    onDemand: fig(0.44, SR, 'secure cloud') },
  // prettier-ignore
  { provider: 'runpod', name: '1x_L40S_SECURE', region: 'US', gpuId: 'L40S', gpuCount: 1, gpuMemGb: 48, confidence: 'low',
    onDemand: fig(0.86, SR, 'secure cloud; catalog columns look swapped, probable value (gpu-prices.md §3.7)'),
    spot: fig(0.43, SR, 'spot; probable value (gpu-prices.md §3.7)') },
];

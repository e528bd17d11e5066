import type { z } from 'zod';
import type { MessageDef } from './registry.js';
import {
  reportSavingsResultV1,
  reportSavingsV1,
  reportSloResultV1,
  reportSloV1,
  reportSummaryResultV1,
  reportSummaryV1,
} from './report.v1.js';
import {
  cloudCostReportV1,
  cloudCostsV1,
  describeInstancesV1,
  describeReservationsV1,
  instanceLaunchedV1,
  instanceTerminatedV1,
  instanceTypesV1,
  instancesV1,
  launchInstanceV1,
  listInstanceTypesV1,
  purchaseReservationV1,
  reservationPurchasedV1,
  reservationsV1,
  terminateInstanceV1,
} from './cloud-commands.v1.js';

type Add = <S extends z.ZodType>(def: MessageDef<S>, ...examples: [z.input<S>, ...z.input<S>[]]) => void;

/** Examples of the report commands and the cloud-provider commands, registered by examples.ts. */
export function addReportAndCloudExamples(add: Add, WL: string): void {
  const REPORT_WINDOW = { from: '2026-11-24T13:00:00.000Z', to: '2026-11-24T14:00:00.000Z', rollup: '1m' } as const;
  add(reportSummaryV1, { workload: WL, from: '2026-11-24T13:00:00Z', to: '2026-11-24T14:00:00Z' }, {});
  add(reportSummaryResultV1, {
    ...REPORT_WINDOW,
    workloads: [
      {
        workload: WL,
        gpu_samples: 3600,
        gpu_util_pct: 71.4,
        gpu_power_w: 512.3,
        cost_usd: 6.88, // one p5.4xlarge on demand for the hour
        requests_total: 50_520,
        requests_failed: 144,
        tokens_in: 73_263_600,
        tokens_out: 13_444_800,
        generation_tokens: 3_285_720,
        proposals: 2,
        decisions: { approved: 1, pending_approval: 1 },
      },
    ],
  });
  add(reportSavingsV1, { from: '2026-11-01T00:00:00Z', to: '2026-11-24T00:00:00Z' });
  add(reportSavingsResultV1, {
    ...REPORT_WINDOW,
    workloads: [
      {
        workload: WL,
        cost_usd: 6.88,
        realized_usd_per_hour_saved: 4.38, // on demand 6.88 → spot 2.50 USD/h
        expected_usd_per_month_saved: 2519.5,
        actions_succeeded: 1,
        actions_failed: 0,
        actions_rolled_back: 0,
      },
    ],
    total: { cost_usd: 6.88, realized_usd_per_hour_saved: 4.38, expected_usd_per_month_saved: 2519.5 },
  });
  add(reportSloV1, { workload: WL, ttft_p95_ms: 500 });
  add(reportSloResultV1, {
    ...REPORT_WINDOW,
    workloads: [
      {
        workload: WL,
        engine_samples: 240,
        up_ratio: 1,
        ttft_p95_ms_mean: 121.5,
        ttft_p95_ms_max: 640,
        e2e_p95_ms_mean: 7400,
        e2e_p95_ms_max: 9100,
        requests_total: 50_520,
        requests_failed: 144,
        error_rate: 0.00285,
        buckets: 60,
        buckets_meeting_target: 58,
        attainment: 0.9667,
      },
    ],
  });

  const CLOUD_INSTANCE = 'i-00000000000000001';
  add(listInstanceTypesV1, {});
  add(instanceTypesV1, {
    items: [
      {
        id: 'aws:p5.4xlarge',
        provider: 'aws',
        name: 'p5.4xlarge',
        region: 'us-east-1',
        zones: ['us-east-1a', 'us-east-1b'],
        gpu_id: 'H100-SXM',
        gpu_count: 1,
        gpu_memory_gb: 80,
        prices: {
          on_demand: {
            usd_per_hour: 6.88,
            source: 'gpu-prices.md §2 AWS-p5.4xl: on-demand hourly',
            as_of: '2025-11-30',
            assumed: false,
            basis: 'on-demand hourly',
          },
        },
        spot_interruptions_per_hour: { value: 0.000183, basis: 'assumption: Spot Advisor bucket 10-15%' },
      },
    ],
  });
  add(launchInstanceV1, {
    instance_type: 'aws:p5.4xlarge',
    purchase_option: 'spot',
    zone: 'us-east-1a',
    weights_bytes: 16_060_522_496,
  });
  add(instanceLaunchedV1, { instance_id: CLOUD_INSTANCE });
  add(terminateInstanceV1, { instance_id: CLOUD_INSTANCE });
  add(instanceTerminatedV1, { instance_id: CLOUD_INSTANCE });
  add(describeInstancesV1, { ids: [CLOUD_INSTANCE] });
  add(instancesV1, {
    items: [
      {
        id: CLOUD_INSTANCE,
        instance_type: 'aws:p5.4xlarge',
        purchase_option: 'spot',
        zone: 'us-east-1a',
        state: 'running',
        launched_at_s: 30,
        billing_start_s: 210,
        ready_at_s: 226.06,
        cost_usd: 0.31,
      },
    ],
  });
  add(cloudCostsV1, {});
  add(cloudCostReportV1, {
    at_s: 600,
    total_usd: 1.96,
    by_purchase_option: { on_demand: 1.65, spot: 0.31, reserved: 0 },
    by_instance: { [CLOUD_INSTANCE]: 0.31, 'i-00000000000000002': 1.65 },
    by_reservation: {},
  });
  add(purchaseReservationV1, { instance_type: 'aws:p5.4xlarge', count: 2 });
  add(reservationPurchasedV1, { reservation_id: 'ri-000000000001' });
  add(describeReservationsV1, {});
  add(reservationsV1, {
    items: [
      {
        id: 'ri-000000000001',
        instance_type: 'aws:p5.4xlarge',
        count: 2,
        start_s: 0,
        end_s: 31_536_000,
        usd_per_hour: 4.33,
        in_use: 1,
        cost_usd: 5.2,
      },
    ],
  });
}

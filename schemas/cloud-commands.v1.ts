import { z } from 'zod';
import { count, nonNegative, purchaseOption } from './common.js';
import { defineMessage } from './registry.js';

/**
 * Cloud-provider commands (`oi.v1.cmd.cloud.<verb>`), served by a cloud-provider service (the
 * simulator's `oi-sim-cloud`) and called by the cloud executor. Times are the provider's clock in
 * seconds (`*_s`): simulated seconds for the simulator. Failures are typed error replies whose
 * field issue carries the provider's code as its rule (e.g. `CLOUD_CAPACITY_UNAVAILABLE`).
 */

const instanceTypeId = z.string().min(1).max(200).describe('<provider>:<name>, e.g. aws:p5.4xlarge');
const instanceId = z.string().min(1).max(200);
const zone = z.string().min(1).max(64);
const simSeconds = z.number().describe('seconds on the provider clock');

const priceQuote = z.object({
  usd_per_hour: nonNegative,
  source: z.string().max(2000).describe('where the figure was read, or `assumption: …`'),
  as_of: z.string().max(64),
  assumed: z.boolean(),
  basis: z.string().max(2000),
});

export const listInstanceTypesV1 = defineMessage({
  id: 'oi.cmd.cloud.list_instance_types.v1',
  description:
    'List the instance types the provider sells (oi.v1.cmd.cloud.list-instance-types). Reply: oi.cmd.cloud.instance_types.v1.',
  data: z.object({}),
});

export const instanceTypesV1 = defineMessage({
  id: 'oi.cmd.cloud.instance_types.v1',
  description: 'Reply to oi.v1.cmd.cloud.list-instance-types: instance types with GPUs, zones and prices.',
  data: z.object({
    items: z.array(
      z.object({
        id: instanceTypeId,
        provider: z.string().min(1).max(64),
        name: z.string().min(1).max(100),
        region: z.string().min(1).max(64),
        zones: z.array(zone),
        gpu_id: z.string().min(1).max(100),
        gpu_count: count.max(64),
        gpu_memory_gb: nonNegative,
        prices: z.partialRecord(purchaseOption, priceQuote).describe('absent option = not sold'),
        spot_interruptions_per_hour: z.object({ value: nonNegative, basis: z.string().max(2000) }).optional(),
      })
    ),
  }),
});

export const launchInstanceV1 = defineMessage({
  id: 'oi.cmd.cloud.launch.v1',
  description: 'Launch one instance (oi.v1.cmd.cloud.launch). Reply: oi.cmd.cloud.launched.v1.',
  data: z.object({
    instance_type: instanceTypeId,
    purchase_option: purchaseOption,
    zone,
    weights_bytes: nonNegative.optional().describe('model weights read before it serves; drives provisioning delay'),
  }),
});

export const instanceLaunchedV1 = defineMessage({
  id: 'oi.cmd.cloud.launched.v1',
  description: 'Reply to oi.v1.cmd.cloud.launch: the new instance id (pending until ready).',
  data: z.object({ instance_id: instanceId }),
});

export const terminateInstanceV1 = defineMessage({
  id: 'oi.cmd.cloud.terminate.v1',
  description: 'Terminate one instance; billing stops (oi.v1.cmd.cloud.terminate). Reply: oi.cmd.cloud.terminated.v1.',
  data: z.object({ instance_id: instanceId }),
});

export const instanceTerminatedV1 = defineMessage({
  id: 'oi.cmd.cloud.terminated.v1',
  description: 'Reply to oi.v1.cmd.cloud.terminate: the instance is terminated (or already was).',
  data: z.object({ instance_id: instanceId }),
});

export const describeInstancesV1 = defineMessage({
  id: 'oi.cmd.cloud.describe_instances.v1',
  description:
    'Describe instances, terminated ones included (oi.v1.cmd.cloud.describe-instances). Reply: oi.cmd.cloud.instances.v1.',
  data: z.object({ ids: z.array(instanceId).max(10_000).optional().describe('absent = every instance') }),
});

export const instancesV1 = defineMessage({
  id: 'oi.cmd.cloud.instances.v1',
  description: 'Reply to oi.v1.cmd.cloud.describe-instances.',
  data: z.object({
    items: z.array(
      z.object({
        id: instanceId,
        instance_type: instanceTypeId,
        purchase_option: purchaseOption,
        zone,
        state: z.enum(['pending', 'running', 'interrupting', 'terminated']),
        launched_at_s: simSeconds,
        billing_start_s: simSeconds.describe('node booted, billing began'),
        ready_at_s: simSeconds.describe('booted and weights loaded'),
        interruption_notice_at_s: simSeconds.optional(),
        terminated_at_s: simSeconds.optional(),
        termination_reason: z.enum(['requested', 'spot_interruption']).optional(),
        reservation_id: z.string().min(1).max(200).optional(),
        cost_usd: nonNegative,
      })
    ),
  }),
});

export const cloudCostsV1 = defineMessage({
  id: 'oi.cmd.cloud.costs.v1',
  description: 'What the account has cost so far (oi.v1.cmd.cloud.costs). Reply: oi.cmd.cloud.cost_report.v1.',
  data: z.object({}),
});

export const cloudCostReportV1 = defineMessage({
  id: 'oi.cmd.cloud.cost_report.v1',
  description: 'Reply to oi.v1.cmd.cloud.costs: spend so far, by purchase option, instance and reservation.',
  data: z.object({
    at_s: simSeconds,
    total_usd: nonNegative,
    by_purchase_option: z.record(purchaseOption, nonNegative),
    by_instance: z.record(instanceId, nonNegative),
    by_reservation: z.record(z.string().min(1).max(200), nonNegative),
  }),
});

export const purchaseReservationV1 = defineMessage({
  id: 'oi.cmd.cloud.purchase_reservation.v1',
  description:
    'Buy a 1-year commitment for count instances of a type, billed for the whole term (oi.v1.cmd.cloud.purchase-reservation). Reply: oi.cmd.cloud.reservation.v1.',
  data: z.object({ instance_type: instanceTypeId, count: count.min(1).max(10_000) }),
});

export const reservationPurchasedV1 = defineMessage({
  id: 'oi.cmd.cloud.reservation.v1',
  description: 'Reply to oi.v1.cmd.cloud.purchase-reservation: the new reservation id.',
  data: z.object({ reservation_id: z.string().min(1).max(200) }),
});

export const describeReservationsV1 = defineMessage({
  id: 'oi.cmd.cloud.describe_reservations.v1',
  description: 'List commitments (oi.v1.cmd.cloud.describe-reservations). Reply: oi.cmd.cloud.reservations.v1.',
  data: z.object({}),
});

export const reservationsV1 = defineMessage({
  id: 'oi.cmd.cloud.reservations.v1',
  description: 'Reply to oi.v1.cmd.cloud.describe-reservations.',
  data: z.object({
    items: z.array(
      z.object({
        id: z.string().min(1).max(200),
        instance_type: instanceTypeId,
        count: count.min(1),
        start_s: simSeconds,
        end_s: simSeconds,
        usd_per_hour: nonNegative,
        in_use: count,
        cost_usd: nonNegative,
      })
    ),
  }),
});

import type { Service } from '@nats-io/services';
import { OiError, publish, serveCommands, type Bus, type CommandEndpoint } from '../../bus/index.js';
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
  noticeV1,
  purchaseReservationV1,
  reservationPurchasedV1,
  reservationsV1,
  subjects,
  terminateInstanceV1,
  type DataOf,
  type MessageDef,
} from '../../schemas/index.js';
import type { Logger } from '../../config/index.js';
import { isCloudError, type CloudEvent, type CloudProvider } from '../cloud/index.js';
import { cloudIssue, cloudWire, OI_CODE_OF_CLOUD } from './cloud-wire.js';

/** Micro-service name of the simulated cloud (`nats micro ls`). */
export const SIM_CLOUD_SERVICE = 'oi-sim-cloud';

/** Verbs on `oi.v1.cmd.cloud.<verb>`. */
export const CLOUD_VERBS = [
  'list-instance-types',
  'launch',
  'terminate',
  'describe-instances',
  'costs',
  'purchase-reservation',
  'describe-reservations',
] as const;
export type CloudVerb = (typeof CLOUD_VERBS)[number];

export interface CloudServiceOptions {
  source?: string;
  logger?: Logger;
  /**
   * Publish the provider's events (instance running, spot notice, termination) as notices on
   * `oi.v1.evt.cloud.<kind>.<workload>`, stamped with `eventTime(atSec)`.
   */
  events?: { workload: string; eventTime: (atSec: number) => Date };
}

export interface CloudService {
  service: Service;
  stop(): Promise<void>;
}

/**
 * Serves a `CloudProvider` as the micro service `oi-sim-cloud` on `oi.v1.cmd.cloud.<verb>`, so an
 * executor in another process drives it (`NatsCloudProvider` is the client). A provider failure
 * answers with a typed error: the catalog code by kind, the cloud's own code as the issue's rule.
 */
export async function serveCloudProvider(
  bus: Bus,
  provider: CloudProvider,
  o: CloudServiceOptions = {}
): Promise<CloudService> {
  const source = o.source ?? SIM_CLOUD_SERVICE;
  const run = async <T>(fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      if (!isCloudError(err)) throw err;
      throw new OiError(OI_CODE_OF_CLOUD[err.code], err.message, [cloudIssue(err)]);
    }
  };
  const endpoint = <A extends MessageDef>(
    verb: CloudVerb,
    accept: A,
    reply: MessageDef,
    handle: (d: DataOf<A>) => Promise<unknown>
  ): CommandEndpoint => ({
    name: verb,
    subject: subjects.cmd('cloud', verb),
    accept: [accept],
    reply,
    handle: async (env) => ({ def: reply, data: await run(() => handle(env.data as DataOf<A>)) }),
  });
  const endpoints: CommandEndpoint[] = [
    endpoint('list-instance-types', listInstanceTypesV1, instanceTypesV1, async () => ({
      items: (await provider.listInstanceTypes()).map(cloudWire.instanceType),
    })),
    endpoint('launch', launchInstanceV1, instanceLaunchedV1, async (d: DataOf<typeof launchInstanceV1>) => ({
      instance_id: await provider.launch(
        d.instance_type,
        d.purchase_option,
        d.zone,
        d.weights_bytes !== undefined ? { weightsBytes: d.weights_bytes } : {}
      ),
    })),
    endpoint('terminate', terminateInstanceV1, instanceTerminatedV1, async (d: DataOf<typeof terminateInstanceV1>) => {
      await provider.terminate(d.instance_id);
      return { instance_id: d.instance_id };
    }),
    endpoint('describe-instances', describeInstancesV1, instancesV1, async (d: DataOf<typeof describeInstancesV1>) => ({
      items: (await provider.describeInstances(d.ids)).map(cloudWire.instance),
    })),
    endpoint('costs', cloudCostsV1, cloudCostReportV1, async () => cloudWire.costs(await provider.costSoFar())),
    endpoint(
      'purchase-reservation',
      purchaseReservationV1,
      reservationPurchasedV1,
      async (d: DataOf<typeof purchaseReservationV1>) => ({
        reservation_id: await provider.purchaseReservation(d.instance_type, d.count),
      })
    ),
    endpoint('describe-reservations', describeReservationsV1, reservationsV1, async () => ({
      items: (await provider.describeReservations()).map(cloudWire.reservation),
    })),
  ];
  const service = await serveCommands(bus, {
    name: SIM_CLOUD_SERVICE,
    version: '1.0.0',
    description: 'The simulated cloud: instance types, launch, terminate, instances, costs, reservations',
    endpoints,
    source,
    ...(o.logger ? { logger: o.logger } : {}),
  });
  const pending = new Set<Promise<unknown>>();
  const ev = o.events;
  const off = ev
    ? provider.onEvent((e) => {
        const p = publishEvent(bus, e, ev, source).catch((err: unknown) =>
          o.logger?.error({ err, event: e.kind, instance: e.instanceId }, 'could not publish a cloud event')
        );
        pending.add(p);
        void p.finally(() => pending.delete(p));
      })
    : undefined;
  return {
    service,
    async stop() {
      off?.();
      await Promise.all(pending);
      await service.stop();
    },
  };
}

function publishEvent(
  bus: Bus,
  e: CloudEvent,
  ev: NonNullable<CloudServiceOptions['events']>,
  source: string
): Promise<unknown> {
  const attrs: Record<string, string | number> = { instance_id: e.instanceId, at_s: e.atSec };
  if (e.kind === 'spot_interruption_notice') attrs.terminate_at_s = e.terminateAtSec;
  if (e.kind === 'instance_terminated') attrs.reason = e.reason;
  const message =
    e.kind === 'instance_running'
      ? `instance ${e.instanceId} is running`
      : e.kind === 'spot_interruption_notice'
        ? `spot instance ${e.instanceId} will be reclaimed at ${e.terminateAtSec} s`
        : `instance ${e.instanceId} terminated (${e.reason})`;
  return publish(
    bus.js,
    subjects.evt('cloud', e.kind, ev.workload),
    noticeV1,
    {
      domain: 'cloud',
      event: e.kind,
      workload: ev.workload,
      severity: e.kind === 'instance_running' ? 'info' : 'warning',
      message,
      attrs,
    },
    {
      source,
      ts: ev.eventTime(e.atSec),
      id: `cloud-${ev.workload}-${e.kind}-${e.instanceId}-${Math.round(e.atSec * 1000)}`,
    }
  );
}

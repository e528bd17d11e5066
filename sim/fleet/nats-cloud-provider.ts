import type { NatsConnection } from '@nats-io/nats-core';
import type { z } from 'zod';
import { isOiError, request } from '../../bus/index.js';
import {
  cloudCostReportV1,
  cloudCostsV1,
  decodeEnvelope,
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
  type Notice,
} from '../../schemas/index.js';
import type {
  CloudEvent,
  CloudProvider,
  CostReport,
  InstanceDescription,
  InstanceType,
  LaunchOptions,
  PurchaseOption,
  Reservation,
} from '../cloud/index.js';
import type { CloudVerb } from './cloud-service.js';
import { cloudErrorOf, cloudWire } from './cloud-wire.js';

export interface NatsCloudProviderOptions {
  /** Envelope source of the requests (the caller's identity in the service's log). */
  source: string;
  timeoutMs?: number;
  /** Workload whose cloud events `onEvent` follows (`oi.v1.evt.cloud.*.<workload>`). */
  workload?: string;
}

/**
 * `CloudProvider` over NATS: each call is a request on `oi.v1.cmd.cloud.<verb>` to a cloud-provider
 * service (`serveCloudProvider`). A provider failure comes back as the same `CloudError` (code and
 * message); transport failures stay `OiError` (`OI_TIMEOUT`, `OI_UNAVAILABLE`).
 */
export class NatsCloudProvider implements CloudProvider {
  constructor(
    readonly nc: NatsConnection,
    readonly o: NatsCloudProviderOptions
  ) {}

  async #call<A extends z.ZodType, R extends MessageDef>(
    verb: CloudVerb,
    def: MessageDef<A>,
    data: z.input<A>,
    reply: R
  ): Promise<DataOf<R>> {
    let env;
    try {
      env = await request(this.nc, subjects.cmd('cloud', verb), def, data, {
        source: this.o.source,
        ...(this.o.timeoutMs !== undefined ? { timeoutMs: this.o.timeoutMs } : {}),
      });
    } catch (err) {
      const cloud = isOiError(err) ? cloudErrorOf(err.summary, err.issues) : undefined;
      throw cloud ?? err;
    }
    if (env.schema !== reply.id) throw new Error(`oi.v1.cmd.cloud.${verb}: expected ${reply.id}, got ${env.schema}`);
    return env.data as DataOf<R>;
  }

  async listInstanceTypes(): Promise<InstanceType[]> {
    const r = await this.#call('list-instance-types', listInstanceTypesV1, {}, instanceTypesV1);
    return r.items.map(cloudWire.fromInstanceType);
  }

  async launch(
    instanceType: string,
    purchaseOption: PurchaseOption,
    zone: string,
    options: LaunchOptions = {}
  ): Promise<string> {
    const data = {
      instance_type: instanceType,
      purchase_option: purchaseOption,
      zone,
      ...(options.weightsBytes !== undefined ? { weights_bytes: options.weightsBytes } : {}),
    };
    return (await this.#call('launch', launchInstanceV1, data, instanceLaunchedV1)).instance_id;
  }

  async terminate(instanceId: string): Promise<void> {
    await this.#call('terminate', terminateInstanceV1, { instance_id: instanceId }, instanceTerminatedV1);
  }

  async describeInstances(ids?: readonly string[]): Promise<InstanceDescription[]> {
    const r = await this.#call('describe-instances', describeInstancesV1, ids ? { ids: [...ids] } : {}, instancesV1);
    return r.items.map(cloudWire.fromInstance);
  }

  async purchaseReservation(instanceType: string, count: number): Promise<string> {
    const data = { instance_type: instanceType, count };
    return (await this.#call('purchase-reservation', purchaseReservationV1, data, reservationPurchasedV1))
      .reservation_id;
  }

  async describeReservations(): Promise<Reservation[]> {
    const r = await this.#call('describe-reservations', describeReservationsV1, {}, reservationsV1);
    return r.items.map(cloudWire.fromReservation);
  }

  async costSoFar(): Promise<CostReport> {
    return cloudWire.fromCosts(await this.#call('costs', cloudCostsV1, {}, cloudCostReportV1));
  }

  /** Follows the service's event notices; needs `workload` and a service started with `events`. */
  onEvent(listener: (event: CloudEvent) => void): () => void {
    if (!this.o.workload) throw new Error('NatsCloudProvider.onEvent: pass `workload` to follow its cloud events');
    const sub = this.nc.subscribe(`oi.v1.evt.cloud.*.${this.o.workload}`, {
      callback: (_err, m) => {
        const d = decodeEnvelope<Notice>(m.data, [noticeV1]);
        if (!d.ok) return;
        const e = cloudEventOf(d.envelope.data);
        if (e) listener(e);
      },
    });
    return () => sub.unsubscribe();
  }
}

function cloudEventOf(n: Notice): CloudEvent | undefined {
  const id = String(n.attrs.instance_id ?? '');
  const at = Number(n.attrs.at_s);
  if (!id || !Number.isFinite(at)) return undefined;
  switch (n.event) {
    case 'instance_running':
      return { kind: 'instance_running', instanceId: id, atSec: at };
    case 'spot_interruption_notice':
      return {
        kind: 'spot_interruption_notice',
        instanceId: id,
        atSec: at,
        terminateAtSec: Number(n.attrs.terminate_at_s),
      };
    case 'instance_terminated':
      return {
        kind: 'instance_terminated',
        instanceId: id,
        atSec: at,
        reason: n.attrs.reason === 'spot_interruption' ? 'spot_interruption' : 'requested',
      };
    default:
      return undefined;
  }
}

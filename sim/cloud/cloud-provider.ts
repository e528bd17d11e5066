import type {
  CloudEvent,
  CostReport,
  InstanceDescription,
  InstanceType,
  LaunchOptions,
  PurchaseOption,
  Reservation,
} from './types.js';

/**
 * What the cloud executor needs from a provider. The simulator implements it now; real providers
 * (EC2, GCE, Azure, GPU clouds) implement the same calls later, hence the promises.
 */
export interface CloudProvider {
  listInstanceTypes(): Promise<InstanceType[]>;
  /** Resolves to the new instance id; rejects with a `CloudError` (capacity, unknown type, …). */
  launch(instanceType: string, purchaseOption: PurchaseOption, zone: string, options?: LaunchOptions): Promise<string>;
  terminate(instanceId: string): Promise<void>;
  /** All instances when `ids` is omitted, terminated ones included. */
  describeInstances(ids?: readonly string[]): Promise<InstanceDescription[]>;
  /** Buys a 1-year commitment for `count` instances of a type; billed for the whole term, used or not. */
  purchaseReservation(instanceType: string, count: number): Promise<string>;
  describeReservations(): Promise<Reservation[]>;
  /** Instance lifecycle and spot interruption notices; returns the unsubscribe function. */
  onEvent(listener: (event: CloudEvent) => void): () => void;
  costSoFar(): Promise<CostReport>;
}

import type {
  CloudEvent,
  CloudProvider,
  CostReport,
  InstanceDescription,
  InstanceType,
  LaunchOptions,
  PurchaseOption,
  Reservation,
  SimCloud,
} from '../cloud/index.js';

/** What the fleet does for launches and terminations; everything else reads the simulated cloud. */
export interface FleetCloudHooks {
  launch(instanceType: string, purchaseOption: PurchaseOption, zone: string): Promise<string>;
  terminate(instanceId: string): Promise<void>;
}

/**
 * The simulated cloud as seen through a fleet: a launched instance becomes a replica (the fleet
 * sizes the weights to load, so `weightsBytes` is not taken from the caller), a terminated one
 * leaves the fleet at once.
 */
export class FleetCloudProvider implements CloudProvider {
  constructor(
    readonly cloud: SimCloud,
    readonly hooks: FleetCloudHooks
  ) {}

  listInstanceTypes(): Promise<InstanceType[]> {
    return this.cloud.listInstanceTypes();
  }

  launch(
    instanceType: string,
    purchaseOption: PurchaseOption,
    zone: string,
    _options?: LaunchOptions
  ): Promise<string> {
    return this.hooks.launch(instanceType, purchaseOption, zone);
  }

  terminate(instanceId: string): Promise<void> {
    return this.hooks.terminate(instanceId);
  }

  describeInstances(ids?: readonly string[]): Promise<InstanceDescription[]> {
    return this.cloud.describeInstances(ids);
  }

  purchaseReservation(instanceType: string, count: number): Promise<string> {
    return this.cloud.purchaseReservation(instanceType, count);
  }

  describeReservations(): Promise<Reservation[]> {
    return this.cloud.describeReservations();
  }

  onEvent(listener: (event: CloudEvent) => void): () => void {
    return this.cloud.onEvent(listener);
  }

  costSoFar(): Promise<CostReport> {
    return this.cloud.costSoFar();
  }
}

export { fleetSpecSchema, loadFleetSpec, parseFleetSpec, type FleetSpec, type FleetSpecInput } from './fleet-spec.js';
export { FleetSim, type FleetInterval, type FleetReplicaSample, type ReplicaDetail } from './fleet-sim.js';
export { ReplicaState, type ReplicaInstance } from './replica.js';
export { FleetLedger, type FleetSummary } from './fleet-ledger.js';
export { gpuSample, IDLE_POWER_SHARE, MEM_UTIL_PER_BUSY, type GpuSampleData } from './gpu-sample.js';
export { fleetBus, type FleetBus, type FleetBusOptions } from './nats-driver.js';
export { openTrace } from './open-trace.js';
export { FleetTelemetry, type FleetTelemetryMessage } from './fleet-telemetry.js';
export type { FleetControl } from './fleet-control.js';
export {
  ENGINE_RESTART_OVERHEAD_SEC,
  engineArgsOf,
  engineInputOf,
  engineRestartSec,
  type EngineArgChanges,
  type EngineArgs,
} from './engine-args.js';
export { FleetCloudProvider, type FleetCloudHooks } from './fleet-cloud-provider.js';
export { serveFleetActions, type FleetActions, type FleetActionsOptions } from './fleet-actions.js';
export {
  CLOUD_VERBS,
  SIM_CLOUD_SERVICE,
  serveCloudProvider,
  type CloudService,
  type CloudServiceOptions,
  type CloudVerb,
} from './cloud-service.js';
export { NatsCloudProvider, type NatsCloudProviderOptions } from './nats-cloud-provider.js';
export { cloudErrorOf, cloudIssue, cloudWire, OI_CODE_OF_CLOUD } from './cloud-wire.js';
export { serveFleet, type FleetServices } from './fleet-services.js';

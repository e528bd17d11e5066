export { fleetSpecSchema, loadFleetSpec, parseFleetSpec, type FleetSpec, type FleetSpecInput } from './fleet-spec.js';
export { FleetSim, type FleetInterval } from './fleet-sim.js';
export { FleetLedger, type FleetSummary } from './fleet-ledger.js';
export { gpuSample, IDLE_POWER_SHARE, MEM_UTIL_PER_BUSY, type GpuSampleData } from './gpu-sample.js';
export { fleetBus, type FleetBus, type FleetBusOptions } from './nats-driver.js';
export { openTrace } from './open-trace.js';
export { FleetTelemetry, type FleetTelemetryMessage } from './fleet-telemetry.js';
export type { FleetControl } from './fleet-control.js';

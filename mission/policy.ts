import type { FleetControl, FleetInterval, FleetSim, PurchaseOption, SimRequest } from '../sim/index.js';
import type { MissionConfig, MissionTrace } from './mission-config.js';

/** One instance type bought one way, with the capacity one replica of it has at the SLO on this trace. */
export interface Offer {
  instanceType: string;
  purchaseOption: PurchaseOption;
  gpuId: string;
  usdPerHour: number;
  /** Requests per second one replica sustains inside the SLO (calibration replay). */
  capacityPerSec: number;
  /** Seconds from launch until the replica serves (node start + weights load). */
  leadSec: number;
}

/** A trace as the mission replays it: windowed, rate-scaled, requests the model cannot hold left out. */
export interface MissionTraceData {
  spec: MissionTrace;
  requests: SimRequest[];
  /** Requests longer than the trace's max-model-len, left out of every replay. */
  excluded: number;
  /** Last arrival, seconds. */
  durationSec: number;
  /** Most arrivals in one `peakWindowSec` window (from second 0), per second. */
  peakRatePerSec: number;
}

/** What a policy knows before the replay starts. */
export interface MissionContext {
  config: MissionConfig;
  trace: MissionTraceData;
  /** Every allowed instance type × purchase option with a price and a calibrated capacity. */
  offers: Offer[];
  /** The baseline's offer (one GPU type, on demand). */
  baseline: Offer;
  short: boolean;
}

export interface ReplicaPlan {
  instanceType: string;
  purchaseOption: PurchaseOption;
}

/** Counts a policy keeps that the harness cannot see from its calls. */
export interface PolicyReport {
  conflicts: number;
  rollbacks: number;
  /** USD saved by engine settings, where the policy can attribute it. */
  engineTuningUsd?: number;
  /** Decisions taken outside `FleetControl` (a system acting through the fleet's NATS services). */
  decisions?: number;
  /** Further counts for the result's `extras`. */
  extras?: Record<string, number>;
  /** One line per decision, for the result's `log` (what a system decided, and why). */
  log?: string[];
}

/** A fleet policy: the fleet at second 0, then a decision at every telemetry boundary. */
export interface Policy {
  readonly name: string;
  /** Replicas launched before second 0 (serving at 0). */
  initialFleet(): ReplicaPlan[];
  onInterval(interval: FleetInterval, control: FleetControl): Promise<void> | void;
  report?(): PolicyReport;
  /** Replayed with no spot interruptions (the oracle ignores them). */
  readonly ignoresInterruptions?: boolean;
  /** Given the fleet before second 0: a policy that drives it from other processes serves it there. */
  attach?(sim: FleetSim): Promise<void>;
  /** After the replay, or when it failed: stop what `attach`/`create` started. */
  detach?(): Promise<void>;
}

/** A policy in the mission's list: built once per trace from what is known before the replay. */
export interface PolicyEntry {
  readonly name: string;
  create(ctx: MissionContext): Policy | Promise<Policy>;
}

export const offerKey = (o: { instanceType: string; purchaseOption: PurchaseOption }): string =>
  `${o.instanceType}/${o.purchaseOption}`;

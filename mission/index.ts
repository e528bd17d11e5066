/**
 * mission: the scorecard of issue #11. Public traces replayed through the simulated fleet under
 * the policies the field uses today (static peak pool, HPA on the vLLM queue, llm-d's saturation
 * autoscaler), the oracle bound, and any policy passed in (OptiInfra's slot): cost, savings by
 * source, SLO attainment, latency quantiles, as JSON and markdown.
 */
export {
  DEFAULT_MISSION_FILE,
  loadMissionConfig,
  missionConfigSchema,
  parseMissionConfig,
  traceFile,
  tracesDir,
  type MissionConfig,
  type MissionTrace,
} from './mission-config.js';
export type {
  MissionContext,
  MissionTraceData,
  Offer,
  Policy,
  PolicyEntry,
  PolicyReport,
  ReplicaPlan,
} from './policy.js';
export { offerKey } from './policy.js';
export {
  BUILTIN_POLICIES,
  MISSION_POLICIES,
  attributeSavings,
  runMission,
  type MissionOptions,
  type MissionProgress,
} from './run-mission.js';
export type { MissionResult, PolicyResult, SavingsBySource, SeriesPoint, TraceReport } from './mission-result.js';
export { missionMarkdown, writeMissionReport } from './report.js';
export { replayCharts, writeMissionCharts } from './mission-charts.js';
export { MISSION_USAGE, runMissionCommand } from './mission-cli.js';
export { buildOffers, calibrateCapacity, provisioningLeadSec } from './capacity.js';
export { cheapestMix, planOracle, type OraclePlan, type SlotPlan } from './oracle-plan.js';
export { loadMissionTrace, peakRatePerSec } from './mission-trace.js';
export { readReplicas, type ReplicaReading } from './replica-metrics.js';
export { staticPeak } from './policies/static-peak.js';
export { reactiveQueue, ReactiveQueuePolicy, hpaDesired } from './policies/reactive-queue.js';
export { saturation, SaturationPolicy, analyzeSaturation } from './policies/saturation.js';
export { oracle, OraclePolicy } from './policies/oracle.js';
export { optiinfra, OptiInfraPolicy, type OptiInfraCounts } from './policies/optiinfra.js';
export { startOptiInfraSystem, type OptiInfraSystem } from './policies/optiinfra-system.js';
export { scaleTo, activeOf } from './policies/fleet-actions.js';

/**
 * schemas — the wire contract of OptiInfra (DESIGN.md "Subjects (v1)").
 *
 * Every message is an envelope `{schema, id, ts, source, corr?, data}` whose `data` is checked
 * against a zod schema registered under a versioned id (`oi.<domain>.<name>.v<N>`). Importing
 * this module registers every message, so `decodeEnvelope` knows them all. Subject builders,
 * stream names and the partition function live here too; JSON Schema for non-TS clients is
 * generated into schemas/json/ (`npm run gen:schemas`), and published versions are frozen
 * (schemas/frozen/, guarded by a test). Examples of every message serve as test fixtures.
 */

export { SCHEMA_ID_PATTERN, envelopeHeader, envelopeShape } from './envelope.js';
export type { Envelope, EnvelopeHeader } from './envelope.js';
export { describeIssues, formatPath, issuesOf } from './issues.js';
export type { FieldIssue } from './issues.js';
export { SchemaError, allMessages, checkData, decodeEnvelope, defineMessage, lookupMessage } from './registry.js';
export type { DataOf, DecodeFailure, DecodeResult, MessageDef } from './registry.js';
export {
  DEFAULT_PARTITIONS,
  KV_BUCKETS,
  STREAMS,
  STREAM_SUBJECTS,
  TOKEN_PATTERN,
  parseTelStored,
  partitionOf,
  subjects,
  token,
} from './subjects.js';
export type { AgentKind, StreamName, TelemetrySource } from './subjects.js';
export { ROUTES } from './catalog.js';
export type { Route } from './catalog.js';
export { ERROR_CODES, errorCodeSchema, errorReply, fieldIssueSchema } from './errors.js';
export type { ErrorCode } from './errors.js';

export { agentKind, entityId, nodeId, purchaseOption, quantilesMs, timestamp } from './common.js';
export type { PurchaseOption, QuantilesMs } from './common.js';

export {
  constraintsSpec,
  getWorkloadV1,
  listWorkloadsV1,
  operatingMode,
  registerWorkloadV1,
  sloSpec,
  updateWorkloadV1,
  workloadId,
  workloadPageV1,
  workloadRecord,
  workloadRecordV1,
  workloadRegisteredV1,
  workloadSpec,
  workloadUpdatedV1,
} from './workload.v1.js';
export type { WorkloadRecord, WorkloadSpec } from './workload.v1.js';
export {
  recordV1ToV2,
  registerV2ToV1Spec,
  registerWorkloadV2,
  workloadRecordShapeV2,
  workloadRecordV2,
  workloadSpecV2,
} from './workload.v2.js';
export type { WorkloadRecordV2, WorkloadSpecV2 } from './workload.v2.js';

export {
  appTelemetryV1,
  costTelemetryV1,
  engineTelemetryV1,
  gpuDevice,
  gpuProcess,
  gpuTelemetryV1,
} from './telemetry.v1.js';
export type { AppTelemetry, CostTelemetry, EngineTelemetry, GpuDevice, GpuTelemetry } from './telemetry.v1.js';
export {
  APP_TELEMETRY_TIERS,
  appErrorClass,
  appTelemetryT1V1,
  appTelemetryT2V1,
  appTelemetryT3V1,
  contentSample,
  requestType,
  tokenStats,
} from './app-telemetry-tiers.v1.js';
export type {
  AppErrorClass,
  AppRequestTypeStats,
  AppTelemetryT1,
  AppTelemetryT2,
  AppTelemetryT3,
  AppTierTelemetry,
  ContentSample,
  TokenStats,
} from './app-telemetry-tiers.v1.js';
export { ACTION_RESOURCE, actionSpec, engineFlagValue, resourceKind, resourceOf } from './actions.v1.js';
export type { ActionKind, ActionSpec, ResourceKind } from './actions.v1.js';
export { evidenceItem, expectedImpact, priorityClass, proposalV1, riskLevel } from './proposal.v1.js';
export type { EvidenceItem, PriorityClass, Proposal, RiskLevel } from './proposal.v1.js';
export { decisionV1, verdict } from './decision.v1.js';
export type { Decision, Verdict } from './decision.v1.js';
export { decisionV2, decisionToV2, rolloutStep } from './decision.v2.js';
export type { DecisionV2 } from './decision.v2.js';
export {
  approveDecisionV1,
  decisionPageV1,
  decisionVerdictV1,
  fleetStateV1,
  listDecisionsV1,
  pauseFleetV1,
  rejectDecisionV1,
  resumeFleetV1,
  setWorkloadModeV1,
  workloadModeV1,
} from './decision-commands.v1.js';
export { actionResultV1, actionV1, actionVerb } from './action.v1.js';
export type { ActionRequest, ActionResult } from './action.v1.js';
export { dlqEntryV1, noticeV1, severity } from './event.v1.js';
export { clockAckV1, clockTickV1, fenceV1, probeSeenV1, supervisorStateV1, supervisorStatusV1 } from './runtime.v1.js';
export type { DlqEntry, Notice, Severity } from './event.v1.js';
export {
  reportSavingsResultV1,
  reportSavingsV1,
  reportSloResultV1,
  reportSloV1,
  reportSummaryResultV1,
  reportSummaryV1,
} from './report.v1.js';
export {
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

export { canonical, envelopeSchemaOf, jsonSchemaOf, renderJsonSchemas } from './json-schema.js';
export type { JsonObject, JsonValue } from './json-schema.js';
export { breakingChanges } from './freeze.js';
export { exampleEnvelope, exampleIds, exampleOf, examplesOf, rawExamplesOf } from './examples.js';

/**
 * The application agent's analyzers (seed 000 §9): privacy-tiered app telemetry → context
 * right-sizing, model routing (seed 004 matrix), prefix caching and quality-regression rollback
 * as candidates; token efficiency and RAG tuning as findings for the application's owners; and
 * the tier-3 content vault (AES-256-GCM at rest, every read audited).
 */
export { applicationAnalyzers, applicationFindings } from './application-analyzers.js';
export {
  APPLICATION_CONFIG_SOURCES,
  DEFAULT_APPLICATION_CONFIG,
  DEFAULT_ROUTING,
  applicationConfig,
  qualityOf,
  routingOptionOf,
} from './application-config.js';
export type { ApplicationConfig, RoutingOption } from './application-config.js';
export type { ApplicationFinding } from './application-findings.js';
export { appContextStats, appRows, summarizeByRequestType } from './app-rows.js';
export type { AppRow, ContextStats, RequestTypeSummary, TokenView } from './app-rows.js';
export { qualityThreshold, qualityWindows } from './quality-regression.js';
export { studentTCdf, welchLower } from './welch-test.js';
export type { WelchResult } from './welch-test.js';
export { ContentVault, ContentVaultCode, ContentVaultError, TIER3_KEY_ENV, tier3KeyFromEnv } from './content-vault.js';
export type { ContentAccess } from './content-vault.js';

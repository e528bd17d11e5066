import { parseGuardrailConfig, type GuardrailConfig, type GuardrailConfigInput } from './guardrail-config.js';
import { maintenanceBlock } from './maintenance-window.js';

const HOUR_MS = 3_600_000;

/** Names of the guardrails, as they appear in outcomes and audit rows. */
export const GUARDRAIL = {
  pause: 'pause',
  maintenanceWindow: 'maintenance_window',
  workloadRate: 'blast_radius.workload_actions_per_hour',
  fleetRate: 'blast_radius.fleet_actions_per_hour',
  capacityShare: 'blast_radius.capacity_share',
  spendCap: 'spend_cap',
} as const;
export type GuardrailName = (typeof GUARDRAIL)[keyof typeof GUARDRAIL];

/** One execution (or one rollout step of it) about to start. */
export interface ExecutionRequest {
  workload: string;
  proposalId: string;
  /** Serving replicas this step takes out of or changes in service; additions count 0. */
  replicasChanging: number;
  workloadReplicas: number;
  /** Monthly spend increase the whole action brings (≤ 0 costs nothing against the cap). */
  usdPerMonthIncrease: number;
  /** The first step of an action: counts against the action rates and the spend cap. */
  firstStep: boolean;
}

export type GuardrailVerdict = { ok: true } | { ok: false; guardrail: GuardrailName; reason: string };

/** What the guardrails looked like when they ruled; goes into audit rows as is (JSON). */
export interface GuardrailState {
  paused: boolean;
  pausedBy?: string;
  workloadActionsLastHour: number;
  fleetActionsLastHour: number;
  replicasChangingNow: number;
  spendIncreaseInPeriodUsdPerMonth: number;
  limits: {
    maxActionsPerHourPerWorkload: number;
    maxActionsPerHourFleet: number;
    maxCapacityShareAtOnce: number;
    spendCapUsdPerMonth: number;
  };
}

/** An action that started: counts against the hourly action caps and the spend cap. */
export interface StartedAction {
  workload: string;
  proposalId: string;
  atMs: number;
  usdPerMonthIncrease: number;
}
type Started = StartedAction;

/**
 * Guardrails above all modes: pause switch, maintenance windows, blast-radius caps and a spend
 * cap. Pure and clock-injected: every call takes the event time; nothing reads a wall clock.
 */
export class Guardrails {
  readonly config: GuardrailConfig;
  #paused: { by: string; atMs: number } | undefined;
  #started: Started[] = [];
  readonly #inFlight = new Map<string, { workload: string; replicas: number }>();

  constructor(config: GuardrailConfigInput = {}) {
    this.config = parseGuardrailConfig(config);
  }

  /** The fleet-wide pause switch: while on, no execution starts. */
  setPaused(paused: boolean, by: string, atMs: number): void {
    this.#paused = paused ? { by, atMs } : undefined;
  }

  get paused(): boolean {
    return this.#paused !== undefined;
  }

  /** Whether `req` may start at `atMs`; the first guardrail that stops it, with the numbers. */
  check(req: ExecutionRequest, atMs: number): GuardrailVerdict {
    const c = this.config;
    if (this.#paused) {
      return stop(
        GUARDRAIL.pause,
        `fleet paused by ${this.#paused.by} at ${new Date(this.#paused.atMs).toISOString()}`
      );
    }
    const window = c.maintenance[req.workload];
    const blocked = window && maintenanceBlock(window, atMs);
    if (blocked) return stop(GUARDRAIL.maintenanceWindow, `${req.workload} is ${blocked}`);
    if (req.firstStep) {
      const recent = this.#since(atMs - HOUR_MS, atMs);
      const mine = recent.filter((s) => s.workload === req.workload).length;
      if (mine + 1 > c.maxActionsPerHourPerWorkload) {
        return stop(
          GUARDRAIL.workloadRate,
          `${req.workload} already ran ${mine} actions in the last hour (cap ${c.maxActionsPerHourPerWorkload})`
        );
      }
      if (recent.length + 1 > c.maxActionsPerHourFleet) {
        return stop(
          GUARDRAIL.fleetRate,
          `the fleet already ran ${recent.length} actions in the last hour (cap ${c.maxActionsPerHourFleet})`
        );
      }
    }
    const changing = this.#replicasChanging(req.workload, req.proposalId);
    const allowed = Math.max(1, Math.floor(c.maxCapacityShareAtOnce * req.workloadReplicas));
    if (req.replicasChanging > 0 && changing + req.replicasChanging > allowed) {
      return stop(
        GUARDRAIL.capacityShare,
        `${changing} of ${req.workloadReplicas} replicas already changing, +${req.replicasChanging} would exceed ` +
          `${allowed} (${c.maxCapacityShareAtOnce * 100}% at once)`
      );
    }
    if (req.firstStep && req.usdPerMonthIncrease > 0) {
      const spent = this.#spendInPeriod(atMs);
      if (spent + req.usdPerMonthIncrease > c.spendCapUsdPerMonth) {
        return stop(
          GUARDRAIL.spendCap,
          `increases of ${round(spent)} USD/month already accepted this period, +${round(req.usdPerMonthIncrease)} ` +
            `would exceed the cap of ${c.spendCapUsdPerMonth} USD/month`
        );
      }
    }
    return { ok: true };
  }

  /** Records that `req` started at `atMs` (after a passing `check`). */
  record(req: ExecutionRequest, atMs: number): void {
    if (req.firstStep) {
      this.#started.push({
        workload: req.workload,
        proposalId: req.proposalId,
        atMs,
        usdPerMonthIncrease: Math.max(0, req.usdPerMonthIncrease),
      });
      const horizon = atMs - Math.max(HOUR_MS, this.config.spendPeriodMs);
      this.#started = this.#started.filter((s) => s.atMs > horizon);
    }
    this.#inFlight.set(req.proposalId, { workload: req.workload, replicas: req.replicasChanging });
  }

  /** What the caps remember of `proposalId` (a new supervisor leader restores it). */
  memoryOf(proposalId: string): { started?: StartedAction; inFlightReplicas?: number } {
    const started = this.#started.find((s) => s.proposalId === proposalId);
    const f = this.#inFlight.get(proposalId);
    return { ...(started ? { started: { ...started } } : {}), ...(f ? { inFlightReplicas: f.replicas } : {}) };
  }

  /** Puts back what `memoryOf` returned, as a new leader takes over; idempotent. */
  restore(workload: string, proposalId: string, m: { started?: StartedAction; inFlightReplicas?: number }): void {
    if (m.started && !this.#started.some((s) => s.proposalId === proposalId)) {
      this.#started.push({ ...m.started });
      this.#started.sort((a, b) => a.atMs - b.atMs);
    }
    if (m.inFlightReplicas !== undefined) this.#inFlight.set(proposalId, { workload, replicas: m.inFlightReplicas });
  }

  /** The step or action of `proposalId` finished (verified or rolled back): its replicas settle. */
  settle(proposalId: string): void {
    this.#inFlight.delete(proposalId);
  }

  state(workload: string, atMs: number): GuardrailState {
    const recent = this.#since(atMs - HOUR_MS, atMs);
    const c = this.config;
    return {
      paused: this.paused,
      ...(this.#paused ? { pausedBy: this.#paused.by } : {}),
      workloadActionsLastHour: recent.filter((s) => s.workload === workload).length,
      fleetActionsLastHour: recent.length,
      replicasChangingNow: this.#replicasChanging(workload),
      spendIncreaseInPeriodUsdPerMonth: round(this.#spendInPeriod(atMs)),
      limits: {
        maxActionsPerHourPerWorkload: c.maxActionsPerHourPerWorkload,
        maxActionsPerHourFleet: c.maxActionsPerHourFleet,
        maxCapacityShareAtOnce: c.maxCapacityShareAtOnce,
        spendCapUsdPerMonth: c.spendCapUsdPerMonth,
      },
    };
  }

  #since(fromMs: number, toMs: number): Started[] {
    return this.#started.filter((s) => s.atMs > fromMs && s.atMs <= toMs);
  }

  #spendInPeriod(atMs: number): number {
    return this.#since(atMs - this.config.spendPeriodMs, atMs).reduce((sum, s) => sum + s.usdPerMonthIncrease, 0);
  }

  #replicasChanging(workload: string, except?: string): number {
    let n = 0;
    for (const [id, f] of this.#inFlight) if (f.workload === workload && id !== except) n += f.replicas;
    return n;
  }
}

function stop(guardrail: GuardrailName, reason: string): GuardrailVerdict {
  return { ok: false, guardrail, reason: `${guardrail}: ${reason}` };
}

function round(usd: number): number {
  return Math.round(usd * 100) / 100;
}

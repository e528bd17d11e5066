import { createRng, type Rng } from '../random.js';
import { billedSeconds, reservationUsd, usdFor } from './billing.js';
import { CloudError, CloudErrorCode } from './cloud-error.js';
import type { CloudProvider } from './cloud-provider.js';
import { buildInstanceTypes } from './instance-types.js';
import { priceTable, type PriceTableRow } from './price-table.js';
import { SIM_CLOUD_ASSUMPTIONS } from './sim-cloud-assumptions.js';
import type {
  CloudEvent,
  CostReport,
  InstanceDescription,
  InstanceState,
  InstanceType,
  LaunchOptions,
  PurchaseOption,
  Reservation,
  TerminationReason,
} from './types.js';

export interface SimCloudConfig {
  seed: number;
  startSec?: number;
  instanceTypes?: readonly InstanceType[];
  nodeStartSec?: number;
  diskBytesPerSec?: number;
  /** Weights loaded when a launch names none. */
  defaultWeightsBytes?: number;
  interruptionNoticeSec?: number;
  minimumBilledSec?: number;
  reservedTermSec?: number;
  /** One rate for every spot type, or per instance type id; default: each type's own rate. */
  spotInterruptionsPerHour?: number | Record<string, number>;
  /** Most spot instances alive at once per instance type id and zone; absent = unlimited. */
  spotCapacity?: Record<string, Record<string, number>>;
  /** Chance that a spot launch finds no capacity, drawn from the seeded RNG. */
  spotUnavailableProbability?: number;
}

interface SimReservation {
  id: string;
  type: InstanceType;
  count: number;
  startSec: number;
  endSec: number;
  usdPerHour: number;
}

interface SimInstance {
  id: string;
  type: InstanceType;
  option: PurchaseOption;
  zone: string;
  state: InstanceState;
  launchedAtSec: number;
  billingStartSec: number;
  readyAtSec: number;
  usdPerHour: number;
  reservation?: SimReservation;
  noticeAtSec?: number;
  terminatedAtSec?: number;
  reason?: TerminationReason;
}

interface Transition {
  atSec: number;
  seq: number;
  instance: SimInstance;
  kind: 'ready' | 'notice' | 'reclaim';
}

function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (err) {
    return Promise.reject(err instanceof Error ? err : new Error(String(err)));
  }
}

function requireNonNegative(field: string, value: number): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new CloudError(CloudErrorCode.invalidArgument, `${field} must be a finite number >= 0, got ${value}`, {
      field,
    });
  }
}

/**
 * A priced cloud on simulated time: nothing moves until `advanceTo`. Provisioning takes node start
 * plus weights / disk bandwidth; spot instances are reclaimed by a seeded Poisson process per
 * instance with a notice before; billing is per second from node boot to termination.
 */
export class SimCloud implements CloudProvider {
  private now: number;
  private readonly rng: Rng;
  private readonly capacityRng: Rng;
  private readonly types = new Map<string, InstanceType>();
  private readonly instances = new Map<string, SimInstance>();
  private readonly reservations = new Map<string, SimReservation>();
  private readonly spotCapacity = new Map<string, number>();
  private readonly transitions: Transition[] = [];
  private readonly listeners = new Set<(e: CloudEvent) => void>();
  private seq = 0;
  private readonly nodeStartSec: number;
  private readonly diskBytesPerSec: number;
  private readonly defaultWeightsBytes: number;
  private readonly noticeSec: number;
  private readonly minimumBilledSec: number;
  private readonly reservedTermSec: number;

  constructor(private readonly config: SimCloudConfig) {
    this.now = config.startSec ?? 0;
    this.rng = createRng(config.seed);
    this.capacityRng = this.rng.fork('spot-capacity');
    for (const t of config.instanceTypes ?? buildInstanceTypes()) this.types.set(t.id, t);
    this.nodeStartSec = config.nodeStartSec ?? SIM_CLOUD_ASSUMPTIONS.nodeStartSec.value;
    this.diskBytesPerSec = config.diskBytesPerSec ?? SIM_CLOUD_ASSUMPTIONS.diskBytesPerSec.value;
    this.defaultWeightsBytes = config.defaultWeightsBytes ?? 0;
    this.noticeSec = config.interruptionNoticeSec ?? SIM_CLOUD_ASSUMPTIONS.interruptionNoticeSec.value;
    this.minimumBilledSec = config.minimumBilledSec ?? SIM_CLOUD_ASSUMPTIONS.minimumBilledSec.value;
    this.reservedTermSec = config.reservedTermSec ?? SIM_CLOUD_ASSUMPTIONS.reservedTermSec.value;
    requireNonNegative('nodeStartSec', this.nodeStartSec);
    requireNonNegative('defaultWeightsBytes', this.defaultWeightsBytes);
    if (!(this.diskBytesPerSec > 0)) {
      throw new CloudError(CloudErrorCode.invalidArgument, `diskBytesPerSec must be > 0, got ${this.diskBytesPerSec}`, {
        field: 'diskBytesPerSec',
      });
    }
    const p = config.spotUnavailableProbability ?? 0;
    if (!(p >= 0 && p <= 1)) {
      throw new CloudError(CloudErrorCode.invalidArgument, `spotUnavailableProbability must be in [0, 1], got ${p}`, {
        field: 'spotUnavailableProbability',
      });
    }
    for (const [typeId, zones] of Object.entries(config.spotCapacity ?? {})) {
      for (const [zone, count] of Object.entries(zones)) this.setSpotCapacity(typeId, zone, count);
    }
  }

  get nowSec(): number {
    return this.now;
  }

  /** The prices this cloud bills; print it at the start of every run (`formatPriceTable`). */
  priceTable(): PriceTableRow[] {
    return priceTable([...this.types.values()]);
  }

  /** Changes spot capacity at runtime (a scenario's "capacity crunch"); Infinity lifts the limit. */
  setSpotCapacity(instanceType: string, zone: string, count: number): void {
    this.zoneOf(this.typeOf(instanceType), zone);
    requireNonNegative(`spotCapacity.${instanceType}.${zone}`, count);
    this.spotCapacity.set(`${instanceType}|${zone}`, count);
  }

  /** Moves simulated time to `tSec`, applying due transitions in order; returns the events emitted. */
  advanceTo(tSec: number): CloudEvent[] {
    if (!Number.isFinite(tSec) || tSec < this.now) {
      throw new CloudError(
        CloudErrorCode.invalidArgument,
        `advanceTo: tSec must be >= now (${this.now}), got ${tSec}`,
        {
          field: 'tSec',
        }
      );
    }
    const events: CloudEvent[] = [];
    while (this.transitions.length > 0 && this.transitions[0]!.atSec <= tSec) {
      const tr = this.transitions.shift()!;
      this.now = tr.atSec;
      const event = this.apply(tr);
      if (event) {
        events.push(event);
        this.emit(event);
      }
    }
    this.now = tSec;
    return events;
  }

  listInstanceTypes(): Promise<InstanceType[]> {
    return Promise.resolve([...this.types.values()]);
  }

  launch(
    instanceType: string,
    purchaseOption: PurchaseOption,
    zone: string,
    options: LaunchOptions = {}
  ): Promise<string> {
    return settle(() => this.launchNow(instanceType, purchaseOption, zone, options));
  }

  terminate(instanceId: string): Promise<void> {
    return settle(() => {
      const inst = this.instanceOf(instanceId);
      if (inst.state === 'terminated') return;
      this.end(inst, 'requested');
    });
  }

  describeInstances(ids?: readonly string[]): Promise<InstanceDescription[]> {
    return settle(() =>
      (ids ? ids.map((id) => this.instanceOf(id)) : [...this.instances.values()]).map((i) => this.describe(i))
    );
  }

  purchaseReservation(instanceType: string, count: number): Promise<string> {
    return settle(() => {
      const type = this.typeOf(instanceType);
      const price = type.prices.reserved;
      if (!price) {
        throw new CloudError(CloudErrorCode.optionNotOffered, `${instanceType} is not sold with a 1-year commitment`, {
          instanceType,
        });
      }
      if (!Number.isInteger(count) || count < 1) {
        throw new CloudError(CloudErrorCode.invalidArgument, `count must be an integer >= 1, got ${count}`, {
          field: 'count',
        });
      }
      const id = `ri-${(this.reservations.size + 1).toString(16).padStart(12, '0')}`;
      const start = this.now;
      this.reservations.set(id, {
        id,
        type,
        count,
        startSec: start,
        endSec: start + this.reservedTermSec,
        usdPerHour: price.usdPerHour,
      });
      return id;
    });
  }

  describeReservations(): Promise<Reservation[]> {
    return Promise.resolve(
      [...this.reservations.values()].map((r) => ({
        id: r.id,
        instanceType: r.type.id,
        count: r.count,
        startSec: r.startSec,
        endSec: r.endSec,
        usdPerHour: r.usdPerHour,
        inUse: this.reservationInUse(r),
        costUsd: reservationUsd(r.usdPerHour, r.count, r.startSec, r.endSec, this.now),
      }))
    );
  }

  onEvent(listener: (event: CloudEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  costSoFar(): Promise<CostReport> {
    const report: CostReport = {
      atSec: this.now,
      totalUsd: 0,
      byPurchaseOption: { on_demand: 0, spot: 0, reserved: 0 },
      byInstance: {},
      byReservation: {},
    };
    for (const inst of this.instances.values()) {
      const usd = this.instanceUsd(inst);
      report.byInstance[inst.id] = usd;
      report.byPurchaseOption[inst.option] += usd;
      report.totalUsd += usd;
    }
    for (const r of this.reservations.values()) {
      const usd = reservationUsd(r.usdPerHour, r.count, r.startSec, r.endSec, this.now);
      report.byReservation[r.id] = usd;
      report.byPurchaseOption.reserved += usd;
      report.totalUsd += usd;
    }
    return Promise.resolve(report);
  }

  private launchNow(typeId: string, option: PurchaseOption, zone: string, options: LaunchOptions): string {
    const type = this.typeOf(typeId);
    this.zoneOf(type, zone);
    const price = type.prices[option];
    if (!price) {
      throw new CloudError(CloudErrorCode.optionNotOffered, `${typeId} is not sold as ${option}`, {
        instanceType: typeId,
        purchaseOption: option,
      });
    }
    const weightsBytes = options.weightsBytes ?? this.defaultWeightsBytes;
    requireNonNegative('weightsBytes', weightsBytes);
    let reservation: SimReservation | undefined;
    if (option === 'spot') this.checkSpotCapacity(type, zone);
    if (option === 'reserved') {
      reservation = [...this.reservations.values()].find(
        (r) => r.type.id === typeId && r.endSec > this.now && this.reservationInUse(r) < r.count
      );
      if (!reservation) {
        throw new CloudError(
          CloudErrorCode.noReservation,
          `no free 1-year commitment for ${typeId}; purchase one first`,
          {
            instanceType: typeId,
          }
        );
      }
    }
    const id = `i-${(this.instances.size + 1).toString(16).padStart(17, '0')}`;
    const billingStartSec = this.now + this.nodeStartSec;
    const inst: SimInstance = {
      id,
      type,
      option,
      zone,
      state: 'pending',
      launchedAtSec: this.now,
      billingStartSec,
      readyAtSec: billingStartSec + weightsBytes / this.diskBytesPerSec,
      usdPerHour: option === 'reserved' ? 0 : price.usdPerHour,
      ...(reservation ? { reservation } : {}),
    };
    this.instances.set(id, inst);
    this.schedule(inst, inst.readyAtSec, 'ready');
    if (option === 'spot') {
      const ratePerHour = this.interruptionRateOf(type);
      if (ratePerHour > 0) {
        // one stream per instance id: a launch elsewhere never shifts this instance's schedule
        const noticeAt = this.now + this.rng.fork(`spot:${id}`).exponential(3600 / ratePerHour);
        this.schedule(inst, noticeAt, 'notice');
        this.schedule(inst, noticeAt + this.noticeSec, 'reclaim');
      }
    }
    return id;
  }

  private checkSpotCapacity(type: InstanceType, zone: string): void {
    const limit = this.spotCapacity.get(`${type.id}|${zone}`) ?? Infinity;
    let alive = 0;
    for (const i of this.instances.values()) {
      if (i.option === 'spot' && i.type === type && i.zone === zone && i.state !== 'terminated') alive++;
    }
    const p = this.config.spotUnavailableProbability ?? 0;
    const unlucky = p > 0 && this.capacityRng.next() < p;
    if (alive >= limit || unlucky) {
      throw new CloudError(CloudErrorCode.capacityUnavailable, `no spot capacity for ${type.id} in ${zone}`, {
        instanceType: type.id,
        zone,
      });
    }
  }

  private interruptionRateOf(type: InstanceType): number {
    const o = this.config.spotInterruptionsPerHour;
    if (typeof o === 'number') return o;
    return o?.[type.id] ?? type.spotInterruptionsPerHour?.value ?? 0;
  }

  private schedule(instance: SimInstance, atSec: number, kind: Transition['kind']): void {
    const tr: Transition = { atSec, seq: this.seq++, instance, kind };
    let lo = 0;
    let hi = this.transitions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.transitions[mid]!;
      if (m.atSec < atSec || (m.atSec === atSec && m.seq < tr.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.transitions.splice(lo, 0, tr);
  }

  private apply(tr: Transition): CloudEvent | undefined {
    const inst = tr.instance;
    if (inst.state === 'terminated') return undefined;
    switch (tr.kind) {
      case 'ready':
        if (inst.state !== 'pending') return undefined;
        inst.state = 'running';
        return { kind: 'instance_running', instanceId: inst.id, atSec: tr.atSec };
      case 'notice':
        inst.state = 'interrupting';
        inst.noticeAtSec = tr.atSec;
        return {
          kind: 'spot_interruption_notice',
          instanceId: inst.id,
          atSec: tr.atSec,
          terminateAtSec: tr.atSec + this.noticeSec,
        };
      case 'reclaim':
        return this.end(inst, 'spot_interruption', false);
    }
  }

  private end(inst: SimInstance, reason: TerminationReason, emitNow = true): CloudEvent {
    inst.state = 'terminated';
    inst.terminatedAtSec = this.now;
    inst.reason = reason;
    const event: CloudEvent = { kind: 'instance_terminated', instanceId: inst.id, atSec: this.now, reason };
    if (emitNow) this.emit(event);
    return event;
  }

  private emit(event: CloudEvent): void {
    for (const l of this.listeners) l(event);
  }

  private instanceUsd(inst: SimInstance): number {
    const end = inst.terminatedAtSec ?? this.now;
    const terminated = inst.terminatedAtSec !== undefined;
    if (inst.reservation) {
      // covered by the commitment during its term; on-demand rate after it lapses
      const od = inst.type.prices.on_demand?.usdPerHour ?? 0;
      const from = Math.max(inst.billingStartSec, inst.reservation.endSec);
      return usdFor(od, billedSeconds(from, end, false, 0));
    }
    return usdFor(inst.usdPerHour, billedSeconds(inst.billingStartSec, end, terminated, this.minimumBilledSec));
  }

  private reservationInUse(r: SimReservation): number {
    let n = 0;
    for (const i of this.instances.values()) if (i.reservation === r && i.state !== 'terminated') n++;
    return n;
  }

  private describe(i: SimInstance): InstanceDescription {
    return {
      id: i.id,
      instanceType: i.type.id,
      purchaseOption: i.option,
      zone: i.zone,
      state: i.state,
      launchedAtSec: i.launchedAtSec,
      billingStartSec: i.billingStartSec,
      readyAtSec: i.readyAtSec,
      ...(i.noticeAtSec !== undefined ? { interruptionNoticeAtSec: i.noticeAtSec } : {}),
      ...(i.terminatedAtSec !== undefined ? { terminatedAtSec: i.terminatedAtSec } : {}),
      ...(i.reason ? { terminationReason: i.reason } : {}),
      ...(i.reservation ? { reservationId: i.reservation.id } : {}),
      costUsd: this.instanceUsd(i),
    };
  }

  private typeOf(id: string): InstanceType {
    const t = this.types.get(id);
    if (!t) {
      throw new CloudError(CloudErrorCode.unknownInstanceType, `unknown instance type ${id}`, { instanceType: id });
    }
    return t;
  }

  private zoneOf(type: InstanceType, zone: string): void {
    if (!type.zones.includes(zone)) {
      throw new CloudError(
        CloudErrorCode.unknownZone,
        `zone ${zone} does not offer ${type.id} (zones: ${type.zones.join(', ')})`,
        { instanceType: type.id, zone }
      );
    }
  }

  private instanceOf(id: string): SimInstance {
    const i = this.instances.get(id);
    if (!i) throw new CloudError(CloudErrorCode.unknownInstance, `unknown instance ${id}`, { instanceId: id });
    return i;
  }
}

import { actionSpec, describeIssues, issuesOf, type PurchaseOption } from '../../schemas/index.js';
import { EngineModel, engineRequestFromTrace, type FinishedRequest } from '../engine/index.js';
import { Router } from '../router/index.js';
import {
  CloudError,
  CloudErrorCode,
  SIM_CLOUD_ASSUMPTIONS,
  SimCloud,
  type CloudEvent,
  type CloudProvider,
  type InstanceType,
} from '../cloud/index.js';
import type { RequestSource, SimRequest } from '../trace/index.js';
import type { FleetSpec } from './fleet-spec.js';
import type { FleetControl } from './fleet-control.js';
import { FleetLedger, type FleetSummary } from './fleet-ledger.js';
import { gpuSample, type GpuSampleData } from './gpu-sample.js';
import {
  changeEngineArgs,
  engineArgsOf,
  engineInputOf,
  engineRestartSec,
  type EngineArgChanges,
  type EngineArgs,
} from './engine-args.js';
import {
  billedSecIn,
  engineUp,
  replicaInstance,
  type Replica,
  type ReplicaInstance,
  type ReplicaState,
} from './replica.js';
import { FleetTimers } from './fleet-timers.js';
import { FleetCloudProvider } from './fleet-cloud-provider.js';

/** One replica at a telemetry boundary: what its gpu-edge would report, and its instance. */
export interface FleetReplicaSample {
  node: string;
  /** The engine runs (serving or draining). */
  up: boolean;
  metricsText: string | undefined;
  gpu: GpuSampleData;
  state: ReplicaState;
  instanceType: string;
  purchaseOption: PurchaseOption;
  instance: ReplicaInstance;
  /** Seconds of the instance billed inside this interval. */
  billedSec: number;
}

/** What the fleet looks like at one telemetry boundary. */
export interface FleetInterval {
  /** Simulated seconds since the start. */
  tSec: number;
  /** Every replica not yet gone; a terminated one appears once more, in the interval it ended in. */
  replicas: FleetReplicaSample[];
  summary: FleetSummary;
}

/** A replica as `FleetSim.replicaDetails` reports it. */
export interface ReplicaDetail {
  node: string;
  state: ReplicaState;
  instance: ReplicaInstance;
  /** Engine args as vLLM flags (the edge's engine configuration). */
  engineArgs: EngineArgs;
  kvCapacityTokens: number;
}

/** How long before second 0 the fleet is launched, so every replica is serving at 0. */
const WARMUP_SEC = 900;

const NODE_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The simulated fleet of one workload: replicas (engine + cloud instance) behind a router, fed by
 * a trace on simulated time. One event loop advances whichever comes first: an arrival, an engine
 * step, a fleet timer (an instance ready, an engine back from a restart, a drained node) or a
 * telemetry boundary. Deterministic for the spec's seed and the control calls made.
 *
 * Control (`FleetControl`): calls made while the loop is parked (before `run`, inside
 * `onInterval`, after `run`) take effect at once, at the current simulated time; calls made while
 * it runs between boundaries (another process's action) take effect at the next boundary.
 */
export class FleetSim implements FleetControl {
  readonly cloud: SimCloud;
  readonly router: Router<SimRequest>;
  readonly ledger: FleetLedger;
  readonly #replicas = new Map<string, Replica>();
  readonly #byInstance = new Map<string, Replica>();
  /** Every node name used in this run, gone ones included. */
  readonly #names = new Set<string>();
  readonly #types = new Map<string, InstanceType>();
  /** Nodes out of rotation: draining, or under a spot interruption notice. */
  readonly #outOfRotation = new Set<string>();
  /** Nodes under a spot interruption notice: they stay out of rotation until they go. */
  readonly #noticed = new Set<string>();
  #routing: { policy: FleetSpec['routing']; weights: Record<string, number> };
  /** Engine request id → trace request, for re-routing and the ledger. */
  readonly #inFlight = new Map<string, { request: SimRequest; replica: string; attempt: number }>();
  readonly #timers = new FleetTimers();
  readonly #queued: Array<() => Promise<void>> = [];
  readonly #replicaListeners = new Set<(node: string) => void>();
  #running = false;
  #parked = false;
  #now = 0;
  #created = 0;
  #generated = 0;

  private constructor(
    readonly spec: FleetSpec,
    cloud: SimCloud
  ) {
    this.cloud = cloud;
    this.router = new Router<SimRequest>({ policy: spec.routing, weights: {} });
    this.ledger = new FleetLedger(spec.slo);
    this.#routing = { policy: spec.routing, weights: {} };
  }

  /** Launches every replica's instance and starts its engine. */
  static async create(spec: FleetSpec): Promise<FleetSim> {
    const cloud = new SimCloud({
      seed: spec.seed,
      startSec: -WARMUP_SEC,
      ...(spec.cloud.spotInterruptionsPerHour !== undefined
        ? { spotInterruptionsPerHour: spec.cloud.spotInterruptionsPerHour }
        : {}),
    });
    const sim = new FleetSim(spec, cloud);
    for (const t of await cloud.listInstanceTypes()) sim.#types.set(t.id, t);
    for (const [i, r] of spec.replicas.entries()) {
      const type = sim.#types.get(r.instanceType);
      if (!type) throw new Error(`replicas.${i}.instanceType: unknown instance type ${r.instanceType}`);
      const replica = await sim.#launch(r.node, type, r.purchaseOption, r.zone ?? type.zones[0]!, engineArgsOf(r));
      replica.state = 'serving';
      replica.lastAdvanceSec = 0;
      sim.#addToRouter(replica);
    }
    sim.#cloudTo(0);
    for (const r of sim.#replicas.values()) {
      const [d] = await cloud.describeInstances([r.instance.id]);
      if (d && d.state !== 'running' && d.state !== 'interrupting' && engineUp(r)) {
        throw new Error(
          `${r.node}: instance ${d.id} is ${d.state} at second 0; provisioning takes longer than ${WARMUP_SEC} s`
        );
      }
    }
    return sim;
  }

  get nowSec(): number {
    return this.#now;
  }

  /**
   * Replays `trace` to its end and until every replica is idle, calling `onInterval` at each
   * telemetry boundary (awaited: a lockstep transport waits for its hosts there, and a policy
   * may call the control methods).
   */
  async run(trace: RequestSource, onInterval?: (i: FleetInterval) => Promise<void> | void): Promise<FleetSummary> {
    if (this.#running) throw new Error('FleetSim.run: already running');
    this.#running = true;
    try {
      const it = Symbol.asyncIterator in trace ? trace[Symbol.asyncIterator]() : toAsync(trace);
      let next = await it.next();
      const interval = this.spec.telemetryIntervalSec;
      let boundary = Math.floor(this.#now / interval + 1e-9) * interval + interval;
      for (;;) {
        const tArrival = next.done ? Infinity : next.value.arrivalSec;
        let tEngine = Infinity;
        let earliest: Replica | undefined;
        for (const r of this.#replicas.values()) {
          if (!engineUp(r)) continue;
          const t = r.engine.nextEventSec();
          if (t < tEngine) {
            tEngine = t;
            earliest = r;
          }
        }
        const tTimer = this.#timers.nextSec();
        if (next.done && tEngine === Infinity && this.#inFlight.size === 0 && tTimer > boundary) break;
        const t = Math.min(tArrival, tEngine, boundary, tTimer);
        if (t === boundary) {
          await this.#boundary(t, onInterval);
          boundary += interval;
        } else if (t === tTimer) {
          await this.#fire(t);
        } else if (t === tArrival && !next.done) {
          this.#route(next.value, t);
          next = await it.next();
        } else if (earliest) {
          this.#advance(earliest, t);
        }
      }
      await this.#boundary(boundary, onInterval);
      return this.ledger.summary(this.#now, (await this.cloud.costSoFar()).totalUsd);
    } finally {
      this.#running = false;
      for (const call of this.#queued.splice(0)) await call();
    }
  }

  // ---- control (FleetControl) ----

  launchReplica(opts: Parameters<FleetControl['launchReplica']>[0]): Promise<string> {
    return this.#control(async () => {
      const generated = opts.node === undefined;
      const node = opts.node ?? this.#nextName();
      if (!NODE_PATTERN.test(node)) throw new Error(`node: '${node}' must be letters, digits, _ and -, 1-64 chars`);
      if (this.#names.has(node)) throw new Error(`node: ${node} is already used in this run`);
      const type = this.#types.get(opts.instanceType);
      if (!type) {
        throw new CloudError(CloudErrorCode.unknownInstanceType, `unknown instance type ${opts.instanceType}`, {
          instanceType: opts.instanceType,
        });
      }
      const args = changeEngineArgs(engineArgsOf(this.spec.replicas[0]!), opts.engineArgs ?? {});
      const r = await this.#launch(node, type, opts.purchaseOption, opts.zone ?? type.zones[0]!, args);
      if (generated) this.#generated = Number(node.slice('replica-'.length));
      const [d] = await this.cloud.describeInstances([r.instance.id]);
      // the cloud says when it is ready; the fleet advances the cloud to that second
      this.#timers.add(d!.readyAtSec, () => this.#cloudTo(d!.readyAtSec));
      return node;
    });
  }

  /** Resolves once the node is out of rotation; its instance terminates when it has drained. */
  retireReplica(node: string): Promise<void> {
    return this.#control(async () => {
      const r = this.#replica(node);
      if (r.state === 'terminated' || (r.state === 'draining' && r.terminateWhenDrained)) return;
      if (r.state === 'serving' || r.state === 'draining') {
        r.terminateWhenDrained = true;
        this.#startDrain(r);
        if (this.router.inFlight(node).length === 0) await this.#drained(r);
        return;
      }
      await this.#terminate(r, 'retired');
    });
  }

  /**
   * Restarts the engine with changed flags (validated first: an unknown flag or a config that
   * cannot fit is refused before the engine is touched). Requests in flight are re-routed and
   * counted as retries; the node serves again after `engineRestartSec`. Resolves once restarting.
   */
  reconfigureReplica(node: string, changes: EngineArgChanges): Promise<void> {
    return this.#control(() => {
      const r = this.#replica(node);
      const args = changeEngineArgs(r.args, changes);
      if (r.state === 'provisioning') {
        // not started yet: it will start with the new flags
        r.engine = this.#engine(args, r.instance.gpuId, r.engineSeed);
        r.args = args;
        return Promise.resolve();
      }
      this.#restart(r, args);
      return Promise.resolve();
    });
  }

  /** Restarts the engine with its current flags (the `engine.restart` verb). */
  restartReplica(node: string): Promise<void> {
    return this.#control(() => {
      this.#restart(this.#replica(node), this.#replica(node).args);
      return Promise.resolve();
    });
  }

  /** Drains the engine and leaves it stopped, instance running (the `engine.drain` verb). */
  drainEngine(node: string): Promise<void> {
    return this.#control(async () => {
      const r = this.#replica(node);
      if (r.state !== 'serving' && r.state !== 'draining') {
        throw new Error(`${node}: cannot drain an engine that is ${r.state}`);
      }
      this.#startDrain(r);
      if (this.router.inFlight(node).length === 0) await this.#drained(r);
    });
  }

  setRouting(
    policy: 'round_robin' | 'least_loaded' | 'prefix_affinity' | 'kv_aware' | 'weighted',
    weights?: Record<string, number>
  ): void {
    const parsed = actionSpec.safeParse({ kind: 'set_routing', policy, ...(weights ? { weights } : {}) });
    if (!parsed.success) throw new Error(`routing refused: ${describeIssues(issuesOf(parsed.error))}`);
    for (const node of Object.keys(weights ?? {})) {
      const r = this.#replicas.get(node);
      if (!r || r.state === 'terminated') throw new Error(`routing refused: weights.${node}: no such replica`);
    }
    this.#routing = { policy, weights: { ...weights } };
    this.#applyRouting();
  }

  /** Replicas by node; `restarting` counts as provisioning (coming back), `stopped` as draining. */
  replicas(): ReturnType<FleetControl['replicas']> {
    return [...this.#replicas.values()]
      .filter((r) => r.state !== 'terminated')
      .map((r) => ({
        node: r.node,
        instanceType: r.instance.type,
        purchaseOption: r.instance.purchaseOption,
        state: controlState(r.state),
      }));
  }

  /** Every replica not gone, with its exact state, instance and engine args. */
  replicaDetails(): ReplicaDetail[] {
    return [...this.#replicas.values()]
      .filter((r) => r.state !== 'terminated')
      .map((r) => ({
        node: r.node,
        state: r.state,
        instance: { ...r.instance },
        engineArgs: { ...r.args },
        kvCapacityTokens: r.engine.config.memory.kvCapacityTokens,
      }));
  }

  /**
   * The fleet's cloud as a `CloudProvider` (what `oi-sim-cloud` serves): a launch starts a replica
   * with the fleet's default engine args, a terminate ends its instance at once (requests in flight
   * are retried elsewhere, as after a spot reclaim); the rest reads the simulated cloud.
   */
  cloudProvider(): CloudProvider {
    return new FleetCloudProvider(this.cloud, {
      launch: async (instanceType, purchaseOption, zone) => {
        const node = await this.launchReplica({ instanceType, purchaseOption, zone });
        return this.#replica(node).instance.id;
      },
      terminate: (instanceId) =>
        this.#control(async () => {
          const r = this.#byInstance.get(instanceId);
          if (r) await this.#terminate(r, 'terminated by request');
          else await this.cloud.terminate(instanceId);
        }),
    });
  }

  /** Calls `listener` with each replica launched from now on; returns the unsubscribe function. */
  onReplicaLaunched(listener: (node: string) => void): () => void {
    this.#replicaListeners.add(listener);
    return () => this.#replicaListeners.delete(listener);
  }

  /** Simulated time in event time (the spec's start plus simulated seconds). */
  eventTime(tSec = this.#now): Date {
    return new Date(Date.parse(this.spec.start) + tSec * 1000);
  }

  /** Runs `fn` now when the loop is parked, else queues it for the next boundary. */
  #control<T>(fn: () => Promise<T>): Promise<T> {
    const call = (): Promise<T> => {
      try {
        return fn();
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    };
    if (!this.#running || this.#parked) return call();
    return new Promise<T>((resolve, reject) => {
      this.#queued.push(() => call().then(resolve, reject));
    });
  }

  // ---- internals ----

  #replica(node: string): Replica {
    const r = this.#replicas.get(node);
    if (!r) {
      const known = [...this.#replicas.keys()].join(', ') || 'none';
      throw new Error(`node: no replica ${node} in this fleet (replicas: ${known})`);
    }
    return r;
  }

  /** The next free generated name; taken only once its launch succeeded. */
  #nextName(): string {
    let n = this.#generated;
    let name: string;
    do name = `replica-${++n}`;
    while (this.#names.has(name));
    return name;
  }

  #engine(args: EngineArgs, gpu: string, seed: number): EngineModel {
    return new EngineModel(engineInputOf(args, { gpu, seed }));
  }

  async #launch(
    node: string,
    type: InstanceType,
    option: PurchaseOption,
    zone: string,
    args: EngineArgs
  ): Promise<Replica> {
    const engineSeed = this.spec.seed + this.#created;
    const engine = this.#engine(args, type.gpuId, engineSeed);
    const instanceId = await this.cloud.launch(type.id, option, zone, {
      weightsBytes: engine.config.memory.weightsBytesPerGpu * engine.config.tensorParallelSize,
    });
    this.#created++;
    const [d] = await this.cloud.describeInstances([instanceId]);
    const replica: Replica = {
      node,
      args,
      engine,
      engineSeed,
      instance: replicaInstance(instanceId, type, option, zone),
      billingStartSec: d!.billingStartSec,
      state: 'provisioning',
      terminateWhenDrained: false,
      generation: 0,
      reportedGone: false,
      busySec: 0,
      busySecAtLastSample: 0,
      lastAdvanceSec: 0,
    };
    this.#names.add(node);
    this.#replicas.set(node, replica);
    this.#byInstance.set(instanceId, replica);
    for (const l of this.#replicaListeners) l(node);
    return replica;
  }

  #addToRouter(r: Replica): void {
    this.router.addReplica(r.node, {
      numRequestsRunning: () => r.engine.stats().running,
      numRequestsWaiting: () => {
        const s = r.engine.stats();
        return s.waiting + s.preprocessing;
      },
      kvCacheUsage: () => r.engine.stats().kvCacheUsage,
    });
    this.#applyRouting();
  }

  #startServing(r: Replica, tSec: number): void {
    r.state = 'serving';
    r.lastAdvanceSec = Math.max(tSec, r.engine.nowSec);
    r.engine.advanceTo(r.lastAdvanceSec);
    if (!this.#noticed.has(r.node)) this.#outOfRotation.delete(r.node);
    this.#addToRouter(r);
  }

  #startDrain(r: Replica): void {
    r.state = 'draining';
    this.#outOfRotation.add(r.node);
    this.#applyRouting();
  }

  /** A draining node has nothing left: terminate (retire) or stop the engine (`engine.drain`). */
  async #drained(r: Replica): Promise<void> {
    if (r.state !== 'draining') return;
    this.router.removeReplica(r.node);
    if (r.terminateWhenDrained) {
      await this.#terminate(r, 'retired');
    } else {
      r.state = 'stopped';
      this.#applyRouting();
    }
  }

  #restart(r: Replica, args: EngineArgs): void {
    if (r.state !== 'serving' && r.state !== 'stopped' && r.state !== 'restarting') {
      throw new Error(`${r.node}: cannot restart an engine that is ${r.state}`);
    }
    const engine = this.#engine(args, r.instance.gpuId, r.engineSeed);
    const modelChanged = engine.config.model.id !== r.engine.config.model.id;
    if (r.state === 'serving') this.#evacuate(r, this.#now, `engine ${r.node} restarted`);
    r.state = 'restarting';
    r.args = args;
    r.engine = engine;
    const gen = ++r.generation;
    // a new model is not in the page cache: read from disk as at boot
    const diskSec = modelChanged
      ? (engine.config.memory.weightsBytesPerGpu * engine.config.tensorParallelSize) /
        SIM_CLOUD_ASSUMPTIONS.diskBytesPerSec.value
      : 0;
    const upAt = this.#now + engineRestartSec(engine.config.gpu, engine.config.memory.weightsBytesPerGpu) + diskSec;
    this.#timers.add(upAt, () => {
      if (r.state === 'restarting' && r.generation === gen) this.#startServing(r, upAt);
    });
  }

  /** Ends a replica's instance now; what it had in flight is retried elsewhere. */
  async #terminate(r: Replica, why: string): Promise<void> {
    if (r.state === 'terminated') return;
    if (engineUp(r)) this.#evacuate(r, this.#now, `replica ${r.node} ${why}`);
    this.#cloudTo(this.#now);
    // the cloud may have reclaimed it meanwhile (a spot instance)
    if ((r.state as ReplicaState) === 'terminated') return;
    await this.cloud.terminate(r.instance.id);
    r.state = 'terminated';
    r.terminatedAtSec = this.cloud.nowSec;
    this.#outOfRotation.delete(r.node);
  }

  /** Aborts the node's requests and re-routes them (each a retry); the node leaves the router. */
  #evacuate(r: Replica, atSec: number, reason: string): void {
    const attempts = new Map<string, number>();
    for (const [id, entry] of [...this.#inFlight]) {
      if (entry.replica !== r.node) continue;
      r.engine.abort(id);
      this.#inFlight.delete(id);
      attempts.set(entry.request.id, entry.attempt);
    }
    if (!this.router.replicaIds().includes(r.node)) return;
    const removal = this.router.removeReplica(r.node);
    for (const rr of removal.rerouted) {
      this.ledger.retried();
      this.#place(rr.request, rr.to, atSec, (attempts.get(rr.request.id) ?? 0) + 1);
    }
    for (const u of removal.unroutable) this.ledger.dropped(u, `${reason}, no replica left`);
  }

  #applyRouting(): void {
    const weights = { ...this.#routing.weights };
    for (const node of this.#outOfRotation) weights[node] = 0;
    this.router.setRouting({ policy: this.#routing.policy, weights });
  }

  #cloudTo(tSec: number): void {
    if (tSec <= this.cloud.nowSec) return;
    for (const e of this.cloud.advanceTo(tSec)) this.#cloudEvent(e);
  }

  async #fire(tSec: number): Promise<void> {
    for (const r of this.#replicas.values()) if (engineUp(r)) this.#advance(r, tSec);
    this.#now = Math.max(this.#now, tSec);
    for (const fn of this.#timers.takeDue(tSec)) await fn();
  }

  #route(request: SimRequest, tSec: number): void {
    this.#now = Math.max(this.#now, tSec);
    let node: string;
    try {
      node = this.router.route(request);
    } catch {
      this.ledger.dropped(request, 'no replica to take it');
      return;
    }
    this.#place(request, node, tSec, 0);
  }

  /** Hands a routed request to its replica's engine; `attempt` > 0 for a retry. */
  #place(request: SimRequest, node: string, tSec: number, attempt: number): void {
    const replica = this.#replicas.get(node)!;
    this.#advance(replica, tSec);
    // cloud events may be applied after the engines passed their time
    tSec = Math.max(tSec, replica.engine.nowSec);
    const id = attempt === 0 ? request.id : `${request.id}~retry${attempt}`;
    try {
      replica.engine.addRequest(engineRequestFromTrace({ ...request, id, arrivalSec: tSec }));
    } catch (err) {
      this.router.complete(request.id);
      this.ledger.dropped(request, (err as Error).message);
      return;
    }
    this.#inFlight.set(id, { request, replica: node, attempt });
  }

  #advance(r: Replica, tSec: number): void {
    if (tSec <= r.lastAdvanceSec) return;
    const busy = r.engine.stats().running > 0;
    r.engine.advanceTo(tSec);
    if (busy) r.busySec += tSec - r.lastAdvanceSec;
    r.lastAdvanceSec = tSec;
    this.#now = Math.max(this.#now, tSec);
    for (const f of r.engine.takeFinished()) this.#finish(f);
  }

  #finish(f: FinishedRequest): void {
    const entry = this.#inFlight.get(f.id);
    if (!entry) return; // aborted by us for a retry elsewhere
    this.#inFlight.delete(f.id);
    this.router.complete(entry.request.id);
    this.ledger.finished(entry.request, f);
    const r = this.#replicas.get(entry.replica);
    if (r?.state === 'draining' && this.router.inFlight(r.node).length === 0) {
      const at = f.finishSec;
      this.#timers.add(Math.max(at, this.#now), () => this.#drained(r));
    }
  }

  async #boundary(tSec: number, onInterval?: (i: FleetInterval) => Promise<void> | void): Promise<void> {
    for (const r of this.#replicas.values()) if (engineUp(r)) this.#advance(r, tSec);
    this.#now = Math.max(this.#now, tSec);
    this.#cloudTo(tSec);
    this.#parked = true;
    try {
      for (const call of this.#queued.splice(0)) await call();
      if (onInterval) await onInterval(await this.#sample(tSec));
    } finally {
      this.#parked = false;
    }
  }

  async #sample(tSec: number): Promise<FleetInterval> {
    const window = this.spec.telemetryIntervalSec;
    const replicas: FleetReplicaSample[] = [];
    for (const r of [...this.#replicas.values()]) {
      if (r.state === 'terminated') {
        if (r.reportedGone) continue;
        r.reportedGone = true;
      }
      const up = engineUp(r);
      const busy = Math.min(1, (r.busySec - r.busySecAtLastSample) / window);
      r.busySecAtLastSample = r.busySec;
      replicas.push({
        node: r.node,
        up,
        metricsText: up ? r.engine.renderMetrics() : undefined,
        gpu: gpuSample(r.engine.config.gpu, r.engine.config.gpuMemoryUtilization, up ? busy : 0, r.node),
        state: r.state,
        instanceType: r.instance.type,
        purchaseOption: r.instance.purchaseOption,
        instance: { ...r.instance },
        billedSec: billedSecIn(r, tSec - window, tSec),
      });
    }
    return { tSec, replicas, summary: this.ledger.summary(tSec, (await this.cloud.costSoFar()).totalUsd) };
  }

  #cloudEvent(e: CloudEvent): void {
    const r = this.#byInstance.get(e.instanceId);
    if (!r) return;
    if (e.kind === 'instance_running') {
      if (r.state === 'provisioning') this.#startServing(r, e.atSec);
    } else if (e.kind === 'spot_interruption_notice') {
      // no new work for a node about to go; what it has may still finish in the notice
      this.#outOfRotation.add(r.node);
      this.#noticed.add(r.node);
      this.#applyRouting();
      this.ledger.interruption(r.node, e.atSec);
    } else if (e.kind === 'instance_terminated' && r.state !== 'terminated') {
      if (engineUp(r)) this.#evacuate(r, e.atSec, `replica ${r.node} terminated`);
      else if (this.router.replicaIds().includes(r.node)) this.router.removeReplica(r.node);
      r.state = 'terminated';
      r.terminatedAtSec = e.atSec;
      this.#outOfRotation.delete(r.node);
      this.#applyRouting();
    }
  }
}

/** The three states `FleetControl` names: a restart is a comeback, a stopped engine a drained node. */
function controlState(s: ReplicaState): 'provisioning' | 'serving' | 'draining' {
  if (s === 'serving') return 'serving';
  return s === 'provisioning' || s === 'restarting' ? 'provisioning' : 'draining';
}

async function* toAsync<T>(xs: Iterable<T>): AsyncGenerator<T> {
  for (const x of xs) yield await Promise.resolve(x);
}

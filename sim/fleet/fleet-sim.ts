import { EngineModel, engineRequestFromTrace, type FinishedRequest } from '../engine/index.js';
import { Router } from '../router/index.js';
import { SimCloud, type CloudEvent } from '../cloud/index.js';
import type { RequestSource, SimRequest } from '../trace/index.js';
import type { FleetSpec } from './fleet-spec.js';
import { FleetLedger, type FleetSummary } from './fleet-ledger.js';
import { gpuSample, type GpuSampleData } from './gpu-sample.js';

/** What the fleet looks like at one telemetry boundary: what a gpu-edge would report per node. */
export interface FleetInterval {
  /** Simulated seconds since the start. */
  tSec: number;
  replicas: Array<{ node: string; up: boolean; metricsText: string | undefined; gpu: GpuSampleData }>;
  summary: FleetSummary;
}

interface Replica {
  node: string;
  engine: EngineModel;
  instanceId: string;
  instanceType: string;
  up: boolean;
  busySec: number;
  busySecAtLastSample: number;
  lastAdvanceSec: number;
}

/** How long before second 0 the fleet is launched, so every replica is serving at 0. */
const WARMUP_SEC = 900;

/**
 * The simulated fleet of one workload: replicas (engine + cloud instance) behind a router,
 * fed by a trace on simulated time. One event loop advances whichever comes first: an
 * arrival, an engine step, or a telemetry boundary (where the cloud advances too, so spot
 * notices land within one interval). Deterministic for the spec's seed.
 */
export class FleetSim {
  readonly cloud: SimCloud;
  readonly router: Router<SimRequest>;
  readonly ledger: FleetLedger;
  readonly #replicas = new Map<string, Replica>();
  readonly #byInstance = new Map<string, Replica>();
  readonly #weights: Record<string, number> = {};
  /** Engine request id → trace request, for re-routing and the ledger. */
  readonly #inFlight = new Map<string, { request: SimRequest; replica: string; attempt: number }>();
  #now = 0;

  private constructor(
    readonly spec: FleetSpec,
    cloud: SimCloud
  ) {
    this.cloud = cloud;
    this.router = new Router<SimRequest>({ policy: spec.routing, weights: {} });
    this.ledger = new FleetLedger(spec.slo);
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
    const types = new Map((await cloud.listInstanceTypes()).map((t) => [t.id, t]));
    for (const [i, r] of spec.replicas.entries()) {
      const type = types.get(r.instanceType);
      if (!type) throw new Error(`replicas.${i}.instanceType: unknown instance type ${r.instanceType}`);
      const engine = new EngineModel({
        model: r.model,
        gpu: type.gpuId,
        seed: spec.seed + i,
        ...r.engine,
      });
      const instanceId = await cloud.launch(r.instanceType, r.purchaseOption, r.zone ?? type.zones[0]!, {
        weightsBytes: engine.config.memory.weightsBytesPerGpu * engine.config.tensorParallelSize,
      });
      const replica: Replica = {
        node: r.node,
        engine,
        instanceId,
        instanceType: type.id,
        up: true,
        busySec: 0,
        busySecAtLastSample: 0,
        lastAdvanceSec: 0,
      };
      sim.#replicas.set(r.node, replica);
      sim.#byInstance.set(instanceId, replica);
      sim.router.addReplica(r.node, {
        numRequestsRunning: () => engine.stats().running,
        numRequestsWaiting: () => {
          const s = engine.stats();
          return s.waiting + s.preprocessing;
        },
        kvCacheUsage: () => engine.stats().kvCacheUsage,
      });
    }
    for (const e of cloud.advanceTo(0)) sim.#cloudEvent(e);
    for (const r of sim.#replicas.values()) {
      const [d] = await cloud.describeInstances([r.instanceId]);
      if (d && d.state !== 'running' && d.state !== 'interrupting' && r.up) {
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
   * telemetry boundary (awaited: a lockstep transport waits for its hosts there).
   */
  async run(trace: RequestSource, onInterval?: (i: FleetInterval) => Promise<void> | void): Promise<FleetSummary> {
    const it = Symbol.asyncIterator in trace ? trace[Symbol.asyncIterator]() : toAsync(trace);
    let next = await it.next();
    const interval = this.spec.telemetryIntervalSec;
    let boundary = interval;
    for (;;) {
      const tArrival = next.done ? Infinity : next.value.arrivalSec;
      let tEngine = Infinity;
      let earliest: Replica | undefined;
      for (const r of this.#replicas.values()) {
        if (!r.up) continue;
        const t = r.engine.nextEventSec();
        if (t < tEngine) {
          tEngine = t;
          earliest = r;
        }
      }
      if (next.done && tEngine === Infinity && this.#inFlight.size === 0) break;
      const t = Math.min(tArrival, tEngine, boundary);
      if (t === boundary) {
        await this.#boundary(t, onInterval);
        boundary += interval;
      } else if (t === tArrival && !next.done) {
        this.#route(next.value, t);
        next = await it.next();
      } else if (earliest) {
        this.#advance(earliest, t);
      }
    }
    await this.#boundary(boundary, onInterval);
    return this.ledger.summary(this.#now, (await this.cloud.costSoFar()).totalUsd);
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

  /** Hands a routed request to its replica's engine; `attempt` > 0 for a retry after an interruption. */
  #place(request: SimRequest, node: string, tSec: number, attempt: number): void {
    const replica = this.#replicas.get(node)!;
    this.#advance(replica, tSec);
    // cloud events are applied at the telemetry boundary, after the engines reached it
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
  }

  async #boundary(tSec: number, onInterval?: (i: FleetInterval) => Promise<void> | void): Promise<void> {
    for (const r of this.#replicas.values()) if (r.up) this.#advance(r, tSec);
    this.#now = Math.max(this.#now, tSec);
    for (const e of this.cloud.advanceTo(tSec)) this.#cloudEvent(e);
    if (!onInterval) return;
    const window = this.spec.telemetryIntervalSec;
    const replicas = [...this.#replicas.values()].map((r) => {
      const busy = Math.min(1, (r.busySec - r.busySecAtLastSample) / window);
      r.busySecAtLastSample = r.busySec;
      return {
        node: r.node,
        up: r.up,
        metricsText: r.up ? r.engine.renderMetrics() : undefined,
        gpu: gpuSample(r.engine.config.gpu, r.engine.config.gpuMemoryUtilization, r.up ? busy : 0, r.node),
      };
    });
    await onInterval({
      tSec,
      replicas,
      summary: this.ledger.summary(tSec, (await this.cloud.costSoFar()).totalUsd),
    });
  }

  #cloudEvent(e: CloudEvent): void {
    const r = this.#byInstance.get(e.instanceId);
    if (!r) return;
    if (e.kind === 'spot_interruption_notice') {
      // no new work for a node about to go; what it has may still finish in the notice
      this.#weights[r.node] = 0;
      this.router.setRouting({ policy: this.spec.routing, weights: { ...this.#weights } });
      this.ledger.interruption(r.node, e.atSec);
    } else if (e.kind === 'instance_terminated' && r.up) {
      r.up = false;
      const attempts = new Map<string, number>();
      for (const [id, entry] of [...this.#inFlight]) {
        if (entry.replica !== r.node) continue;
        r.engine.abort(id);
        this.#inFlight.delete(id);
        attempts.set(entry.request.id, entry.attempt);
      }
      // the router re-routes what the node had in flight; each counts as a retry
      const removal = this.router.removeReplica(r.node);
      delete this.#weights[r.node];
      for (const rr of removal.rerouted) {
        this.ledger.retried();
        this.#place(rr.request, rr.to, e.atSec, (attempts.get(rr.request.id) ?? 0) + 1);
      }
      for (const u of removal.unroutable) this.ledger.dropped(u, `replica ${r.node} terminated, no replica left`);
    }
  }
}

async function* toAsync<T>(xs: Iterable<T>): AsyncGenerator<T> {
  for (const x of xs) yield await Promise.resolve(x);
}

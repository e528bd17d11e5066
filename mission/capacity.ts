import {
  FleetSim,
  SIM_CLOUD_ASSUMPTIONS,
  buildInstanceTypes,
  getGpu,
  getModel,
  parseFleetSpec,
  planMemory,
  type InstanceType,
  type SimRequest,
} from '../sim/index.js';
import type { MissionConfig } from './mission-config.js';
import type { MissionTraceData, Offer } from './policy.js';

/** The first rate tried; the search doubles or halves from here, then bisects. */
const FIRST_RATE = 1;
const MIN_RATE = 1 / 64;
const MAX_RATE = 4_096;

export interface CalibrationInput {
  config: MissionConfig;
  trace: MissionTraceData;
  instanceType: string;
  /** How many requests, taken evenly across the window, make the sample. */
  requests: number;
  /** The sample is repeated until the load lasts this long at the rate tried. */
  sustainSec: number;
  bisections: number;
}

/** The sample at `rate` req/s, repeated back to back until it lasts `sustainSec`. */
function sustained(sample: readonly SimRequest[], spanSec: number, rate: number, sustainSec: number): SimRequest[] {
  const scale = sample.length / spanSec / rate;
  const copySec = (spanSec + spanSec / sample.length) * scale;
  const copies = Math.max(1, Math.ceil(sustainSec / copySec));
  const out: SimRequest[] = [];
  for (let c = 0; c < copies; c++) {
    for (const r of sample) out.push({ ...r, id: `${r.id}~c${c}`, arrivalSec: c * copySec + r.arrivalSec * scale });
  }
  return out;
}

/** SLO attainment of the requests judged after `fromSec` (the steady state, once queues and KV have filled). */
async function attainmentAt(c: CalibrationInput, requests: SimRequest[], fromSec: number): Promise<number> {
  const spec = parseFleetSpec({
    workload: 'mission-calibration',
    seed: c.config.seed,
    telemetryIntervalSec: 10,
    routing: c.config.routing,
    slo: { ttftSec: c.config.slo.ttftSec, tpotSec: c.config.slo.tpotSec },
    cloud: { spotInterruptionsPerHour: 0 },
    replicas: [
      {
        node: 'calibration',
        instanceType: c.instanceType,
        model: c.config.model,
        engine: { maxModelLen: c.trace.spec.maxModelLen },
      },
    ],
  });
  const sim = await FleetSim.create(spec);
  let judged0 = 0;
  let inSlo0 = 0;
  const s = await sim.run(requests, (i) => {
    if (i.tSec <= fromSec) {
      judged0 = i.summary.requestsDone + i.summary.dropped;
      inSlo0 = i.summary.requestsInSlo;
    }
  });
  const judged = s.requestsDone + s.dropped - judged0;
  return judged > 0 ? (s.requestsInSlo - inSlo0) / judged : 1;
}

const memo = new Map<string, Promise<number>>();

/**
 * Requests per second one replica of `instanceType` sustains inside the SLO: `requests` requests
 * taken evenly across the trace's window (its gaps kept), time-scaled to each rate tried and repeated for `sustainSec`, replayed on
 * one replica. A rate passes when the SLO attainment of the requests judged in the run's second
 * half (steady state: queues and KV filled; a growing backlog lands there) reaches `slo.attainment` × the attainment of
 * the same sample at 1/64 req/s (requests an idle replica cannot serve inside the SLO, such as a
 * 100k-token prefill, are no reason to add replicas). Doubling or halving from 1 req/s, then
 * bisection. 0 when the engine does not fit this GPU. Memoised per input within the process.
 */
export function calibrateCapacity(c: CalibrationInput): Promise<number> {
  const key = JSON.stringify([
    c.trace.spec,
    c.trace.requests.length,
    c.trace.requests[0]?.id,
    c.instanceType,
    c.requests,
    c.sustainSec,
    c.bisections,
    c.config.seed,
    c.config.slo,
    c.config.model,
    c.config.routing,
  ]);
  let p = memo.get(key);
  if (!p) {
    p = search(c);
    memo.set(key, p);
  }
  return p;
}

/** Every k-th request of the window (its mix of lengths, its burstiness in the gaps), from 0. */
function sampleOf(all: readonly SimRequest[], n: number): { sample: SimRequest[]; spanSec: number } {
  const stride = Math.max(1, Math.floor(all.length / n));
  const picked = all.filter((_, i) => i % stride === 0).slice(0, n);
  const sample = picked.map((r) => ({ ...r, arrivalSec: r.arrivalSec - picked[0]!.arrivalSec }));
  return { sample, spanSec: Math.max(sample.at(-1)!.arrivalSec, 1e-3) };
}

async function search(c: CalibrationInput): Promise<number> {
  const { sample, spanSec } = sampleOf(c.trace.requests, c.requests);
  let idle: number;
  try {
    idle = await attainmentAt(c, sustained(sample, spanSec, MIN_RATE, 0), 0);
  } catch {
    return 0; // the engine refuses the config: the model or its context does not fit this GPU
  }
  if (idle <= 0) return 0;
  const threshold = c.config.slo.attainment * idle;
  const passes = async (rate: number): Promise<boolean> =>
    (await attainmentAt(c, sustained(sample, spanSec, rate, c.sustainSec), c.sustainSec / 2)) >= threshold;
  let ok: number;
  let bad: number;
  if (await passes(FIRST_RATE)) {
    ok = FIRST_RATE;
    bad = MAX_RATE;
    for (let r = ok * 2; r < MAX_RATE; r *= 2) {
      if (!(await passes(r))) {
        bad = r;
        break;
      }
      ok = r;
    }
  } else {
    bad = FIRST_RATE;
    ok = MIN_RATE;
    for (let r = bad / 2; r > MIN_RATE; r /= 2) {
      if (await passes(r)) {
        ok = r;
        break;
      }
      bad = r;
    }
  }
  for (let i = 0; i < c.bisections; i++) {
    const mid = (ok + bad) / 2;
    if (await passes(mid)) ok = mid;
    else bad = mid;
  }
  return ok;
}

/** Node start plus reading the model's weights, as the simulated cloud provisions. */
export function provisioningLeadSec(model: string, gpuId: string): number {
  const plan = planMemory({ gpu: getGpu(gpuId), model: getModel(model) });
  return (
    SIM_CLOUD_ASSUMPTIONS.nodeStartSec.value + plan.weightsBytesPerGpu / SIM_CLOUD_ASSUMPTIONS.diskBytesPerSec.value
  );
}

/**
 * Every allowed instance type × purchase option the catalog sells, priced, with its capacity on
 * this trace (calibrated once per GPU: instance types with the same GPU serve alike). Offers with
 * no capacity (the model does not fit) are left out.
 */
export async function buildOffers(
  config: MissionConfig,
  trace: MissionTraceData,
  calibration: { requests: number; sustainSec: number; bisections: number },
  onCalibrate?: (gpuId: string) => void
): Promise<Offer[]> {
  const types = new Map<string, InstanceType>(buildInstanceTypes().map((t) => [t.id, t]));
  const byGpu = new Map<string, number>();
  const offers: Offer[] = [];
  for (const [i, id] of config.allowed.instanceTypes.entries()) {
    const type = types.get(id);
    if (!type) throw new Error(`allowed.instanceTypes.${i}: unknown instance type ${id}`);
    if (type.gpuCount !== 1)
      throw new Error(
        `allowed.instanceTypes.${i}: ${id} has ${type.gpuCount} GPUs; one replica per single-GPU instance`
      );
    let capacity = byGpu.get(type.gpuId);
    if (capacity === undefined) {
      onCalibrate?.(type.gpuId);
      capacity = await calibrateCapacity({ config, trace, instanceType: id, ...calibration });
      byGpu.set(type.gpuId, capacity);
    }
    if (capacity <= 0) continue;
    for (const option of config.allowed.purchaseOptions) {
      const price = type.prices[option];
      if (!price) continue;
      offers.push({
        instanceType: id,
        purchaseOption: option,
        gpuId: type.gpuId,
        usdPerHour: price.usdPerHour,
        capacityPerSec: capacity,
        leadSec: provisioningLeadSec(config.model, type.gpuId),
      });
    }
  }
  return offers;
}

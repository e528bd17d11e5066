import {
  DEFAULT_SYNTHETIC_PARAMS,
  FleetSim,
  generateSyntheticTrace,
  parseFleetSpec,
  type SimRequest,
} from '../sim/index.js';
import type { BenchArgs } from './args.js';
import { addNote, addRow, progress, whole } from './report.js';

/**
 * The bare event loop the fleet runs on, with no engine model: arrivals to 32 replicas by
 * least-loaded, each request done after a fixed service time. What the loop itself costs.
 */
function bareLoop(trace: readonly SimRequest[], replicas: number, serviceSec: number): number {
  const busyUntil: number[][] = Array.from({ length: replicas }, () => []);
  let done = 0;
  let i = 0;
  for (;;) {
    const tArrival = i < trace.length ? trace[i]!.arrivalSec : Infinity;
    let tDone = Infinity;
    let who = -1;
    for (let r = 0; r < replicas; r++) {
      const q = busyUntil[r]!;
      if (q.length && q[0]! < tDone) {
        tDone = q[0]!;
        who = r;
      }
    }
    if (tArrival === Infinity && who < 0) break;
    if (tArrival <= tDone) {
      let best = 0;
      for (let r = 1; r < replicas; r++) if (busyUntil[r]!.length < busyUntil[best]!.length) best = r;
      busyUntil[best]!.push(tArrival + serviceSec);
      i++;
    } else {
      busyUntil[who]!.shift();
      done++;
    }
  }
  return done;
}

/** Simulated requests per wall second and trace-hours per wall-minute, 32 replicas on one core. */
export async function benchSim(args: BenchArgs): Promise<void> {
  const replicas = 32;
  const traceSec = Number(args.flags.get('sim-trace-sec') ?? 1_800);
  // ~60% of 32 H100s serving Llama-3.1-8B at the Azure conversation lengths
  const rate = Number(args.flags.get('sim-rate') ?? 120);
  const trace = [
    ...generateSyntheticTrace({ ...DEFAULT_SYNTHETIC_PARAMS, durationSec: traceSec, meanRatePerSec: rate }, 1),
  ];
  progress(`sim: ${replicas} replicas, ${whole(trace.length)} requests over ${traceSec} s of trace…`);
  const spec = parseFleetSpec({
    workload: 'wl-bench',
    seed: 1,
    replicas: Array.from({ length: replicas }, (_, i) => ({
      node: `n${i}`,
      instanceType: 'aws:p5.4xlarge',
      model: 'llama-3.1-8b',
    })),
  });
  const sim = await FleetSim.create(spec);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = await sim.run(trace);
  const wallSec = (performance.now() - t0) / 1000;
  const cpuSec = (process.cpuUsage(cpu0).user + process.cpuUsage(cpu0).system) / 1e6;
  const b0 = performance.now();
  const bareDone = bareLoop(trace, replicas, summary.meanLatencySec);
  const bareSec = (performance.now() - b0) / 1000;
  const oursRate = summary.requestsDone / wallSec;
  const bareRate = bareDone / bareSec;
  addRow({
    bench: 'sim: requests/s, 32 replicas',
    ours: `${whole(oursRate)}/s`,
    baseline: `${whole(bareRate)}/s`,
    ratio: `1/${whole(bareRate / oursRate)}`,
  });
  addRow({
    bench: 'sim: trace-hours per wall-minute',
    ours: ((traceSec / 3600) * (60 / wallSec)).toFixed(2),
    baseline: ((traceSec / 3600) * (60 / bareSec)).toFixed(0),
    ratio: `1/${whole(wallSec / bareSec)}`,
  });
  addNote(
    `sim: ${whole(summary.requestsDone)} requests, SLO ${(100 * summary.sloAttainment).toFixed(1)}%, ` +
      `${cpuSec.toFixed(1)} CPU-s in ${wallSec.toFixed(1)} s (one core); baseline: the same arrivals through the bare ` +
      'event loop, 32 replicas, fixed service time, no engine model'
  );
}

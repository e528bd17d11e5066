import { loadConfig } from '../config/index.js';
import {
  DEFAULT_SYNTHETIC_PARAMS,
  fleetBus,
  FleetSim,
  formatPriceTable,
  generateSyntheticTrace,
  loadFleetSpec,
  openTrace,
  serveFleet,
  type FleetInterval,
} from '../sim/index.js';
import { flag, UsageError, type Args } from './args.js';
import { cliBus } from './connect.js';

export const SIM_USAGE = `optiinfra sim (--trace <file> | --synthetic <seconds>) --fleet <fleet.yaml> [--speed-up N]
               [--rate-scale X] [--format azure|mooncake] [--lockstep] [--no-nats] [--no-control]
  Replays a trace (Azure LLM 2023 CSV, Mooncake JSONL, or a seeded synthetic diurnal one with
  bursts) through a simulated fleet and publishes
  what its gpu-edges would (oi.v1.tel.gpu|engine.<workload>.<node>, event time). --lockstep waits
  at every telemetry boundary until the actor hosts acknowledged it (DESIGN.md "Time");
  With NATS the fleet also serves its nodes' engine actions (oi.v1.act.<node>.>) and its cloud
  (oi-sim-cloud, oi.v1.cmd.cloud.<verb>); --no-control leaves both out. --no-nats runs the fleet
  alone. Prints the price table it uses, progress, and a summary.`;

const num = (args: Args, name: string): number | undefined => {
  const v = flag(args, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`--${name} must be a positive number, got ${v}`);
  return n;
};

const clock = (sec: number): string => {
  const s = Math.max(0, Math.floor(sec));
  return `${String(Math.floor(s / 3600)).padStart(2, '0')}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
};

export async function runSim(args: Args): Promise<number> {
  const traceFile = flag(args, 'trace');
  const fleetFile = flag(args, 'fleet');
  const synthetic = num(args, 'synthetic');
  if ((!traceFile && !synthetic) || !fleetFile) {
    throw new UsageError('sim needs --trace <file> (or --synthetic <seconds>) and --fleet <fleet.yaml>');
  }
  const format = flag(args, 'format');
  if (format !== undefined && format !== 'azure' && format !== 'mooncake') {
    throw new UsageError(`--format must be azure or mooncake, got ${format}`);
  }
  const spec = await loadFleetSpec(fleetFile);
  const speedUp = num(args, 'speed-up');
  const rateScale = num(args, 'rate-scale');
  const trace = traceFile
    ? openTrace(traceFile, {
        seed: spec.seed,
        ...(speedUp ? { speedUp } : {}),
        ...(rateScale ? { rateScale } : {}),
        ...(format ? { format } : {}),
      })
    : generateSyntheticTrace(
        {
          ...DEFAULT_SYNTHETIC_PARAMS,
          durationSec: synthetic!,
          meanRatePerSec: DEFAULT_SYNTHETIC_PARAMS.meanRatePerSec * (rateScale ?? 1),
        },
        spec.seed
      );
  const sim = await FleetSim.create(spec);
  console.log(formatPriceTable(sim.cloud.priceTable()));
  const useNats = !args.flags.has('no-nats');
  const bus = useNats ? await cliBus(`optiinfra-sim-${spec.workload}`) : undefined;
  const carrier = bus
    ? fleetBus(spec, {
        bus,
        partitions: loadConfig().partitions,
        lockstep: args.flags.has('lockstep'),
        log: (l) => process.stderr.write(`${l}\n`),
      })
    : undefined;
  const services =
    bus && !args.flags.has('no-control')
      ? await serveFleet(sim, { bus, partitions: loadConfig().partitions, logger: bus.logger })
      : undefined;
  let lastPrint = 0;
  const progress = (i: FleetInterval): void => {
    if (Date.now() - lastPrint < 1_000) return;
    lastPrint = Date.now();
    const s = i.summary;
    process.stderr.write(
      `\rsim ${clock(i.tSec)} | ${s.requestsDone.toLocaleString('en-US')} requests done | ` +
        `$${s.costUsd.toFixed(2)} | SLO ${(100 * s.sloAttainment).toFixed(1)}% | ${s.interruptions} interruptions   `
    );
  };
  try {
    const summary = await sim.run(trace, async (i) => {
      progress(i);
      await carrier?.onInterval(i);
    });
    process.stderr.write('\n');
    console.log(
      JSON.stringify({ workload: spec.workload, seed: spec.seed, ...summary, bus: carrier?.stats() }, null, 2)
    );
    return 0;
  } finally {
    carrier?.close();
    await services?.stop();
    await bus?.drain();
  }
}

import { join } from 'node:path';
import { Svcm, type Service } from '@nats-io/services';
import { noticeV1, subjects } from '../schemas/index.js';
import { connectBus, publish, type Bus, type ConsumeHandle } from '../bus/index.js';
import { ENV_VARS, type Logger, type ProcessConfig } from '../config/index.js';
import { startActionConsumer } from './control/action-consumer.js';
import { EdgeActions } from './control/edge-actions.js';
import { EdgeStateFile } from './control/edge-state.js';
import { EngineController, type EngineEvent, type EngineStatus } from './control/engine-controller.js';
import type { VerifyBounds } from './control/verify-window.js';
import type { EngineAdapter } from './engine/engine-adapter.js';
import { catalogFitChecker, type FitCatalog } from './engine/fit-check.js';
import { applyEngineChanges, parseEngineConfig, type EngineConfig } from './engine/engine-config.js';
import { simAdapter } from './engine/sim-adapter.js';
import { vllmAdapter } from './engine/vllm-adapter.js';
import {
  edgeSettingsFromEnv,
  parseEdgeSettings,
  parseEngineFlags,
  type EdgeSettingKey,
  type EdgeSettings,
} from './edge-settings.js';
import { startEdgeTelemetry, type EdgeTelemetry } from './publisher.js';
import { engineMetricsSource } from './sources/engine-metrics-source.js';
import { nvidiaSmiSource } from './sources/nvidia-smi-source.js';

export const EDGE_SERVICE = 'oi-edge';

export interface EdgeOptions {
  bus: Bus;
  node: string;
  workload: string;
  partitions: number;
  adapter: EngineAdapter;
  /** Engine configuration to start with, unless the state file holds a committed one. */
  config: EngineConfig;
  /** Local state file: fencing marks, finished decisions, last good configuration. */
  statePath: string;
  telemetryIntervalMs: number;
  nvidiaSmi?: string;
  healthTimeoutMs?: number;
  healthPollMs?: number;
  verifyWindowMs?: number;
  verifyPollMs?: number;
  stopGraceMs?: number;
  restartBackoffMs?: number;
  bounds?: VerifyBounds;
  ackWaitMs?: number;
  logger: Logger;
}

export interface EdgeStats {
  engine: EngineStatus;
  actions: { handled: number; failed: number; deadLettered: number };
  natsReconnects: number;
  telemetry: EdgeTelemetry['stats'];
}

export interface Edge extends AsyncDisposable {
  readonly controller: EngineController;
  readonly actions: EdgeActions;
  stats(): EdgeStats;
  stop(): Promise<void>;
}

/**
 * The edge actor on one GPU node: starts the engine with the last good configuration, publishes
 * its telemetry, serves `oi.v1.act.<node>.>` and answers `$SRV` as the `oi-edge` service. The
 * engine's death and NATS outages are reported as `oi.v1.evt.edge.<event>.<workload>` notices.
 */
export async function startEdge(opts: EdgeOptions): Promise<Edge> {
  const { bus, node, workload } = opts;
  const source = `gpu-edge:${node}`;
  const logger = opts.logger.child({ node, workload });
  const stateFile = new EdgeStateFile(opts.statePath);
  const state = await stateFile.load();

  const notify = (
    e: EngineEvent | { event: string; severity: EngineEvent['severity']; message: string; attrs?: EngineEvent['attrs'] }
  ): void => {
    void publish(
      bus.js,
      subjects.evt('edge', e.event, workload),
      noticeV1,
      {
        domain: 'edge',
        event: e.event,
        workload,
        severity: e.severity,
        message: e.message,
        attrs: { node, ...e.attrs },
      },
      { source, retry: { deadlineMs: 60_000 } }
    ).catch((err: unknown) => logger.error({ err, event: e.event }, 'could not publish edge event'));
  };

  const controller: EngineController = new EngineController({
    adapter: opts.adapter,
    config: state.lastGood ?? opts.config,
    identity: { node, workload },
    logger,
    onEvent: notify,
    // called only by a change, which the action consumer starts after `actions` exists
    onCommit: (config): Promise<void> => actions.commitConfig(config),
    ...pick(opts, [
      'healthTimeoutMs',
      'healthPollMs',
      'verifyWindowMs',
      'verifyPollMs',
      'stopGraceMs',
      'restartBackoffMs',
      'bounds',
    ]),
  });
  const actions: EdgeActions = new EdgeActions({
    node,
    workload,
    partitions: opts.partitions,
    controller,
    stateFile,
    state,
  });
  await controller.start();

  const cleanups: (() => Promise<void>)[] = [() => controller.stop()];
  const stopAll = async (): Promise<void> => {
    for (const c of cleanups.reverse())
      await c().catch((err: unknown) => logger.warn({ err }, 'edge stop step failed'));
  };
  try {
    const telemetry = await startEdgeTelemetry({
      bus,
      node,
      workload,
      intervalMs: opts.telemetryIntervalMs,
      logger,
      engine: engineMetricsSource({
        url: `${opts.adapter.url}/metrics`,
        engine: opts.adapter.kind,
        model: controller.lastGood.model,
      }),
      ...(opts.nvidiaSmi ? { gpu: nvidiaSmiSource({ path: opts.nvidiaSmi }) } : {}),
    });
    cleanups.push(() => telemetry.stop());

    const consumer: ConsumeHandle = await startActionConsumer({
      bus,
      node,
      workload,
      actions,
      source,
      logger,
      ...(opts.ackWaitMs ? { ackWaitMs: opts.ackWaitMs } : {}),
    });
    cleanups.push(() => consumer.stop());

    let reconnects = 0;
    let downSince: number | undefined;
    const watching = (async () => {
      for await (const s of bus.nc.status()) {
        if (s.type === 'disconnect' && downSince === undefined) downSince = Date.now();
        if (s.type === 'reconnect') {
          reconnects++;
          const outageMs = downSince === undefined ? 0 : Date.now() - downSince;
          downSince = undefined;
          notify({
            event: 'nats_reconnected',
            severity: 'warning',
            message: `NATS connection was lost for ${outageMs} ms and is back; the engine kept serving`,
            attrs: { outage_ms: outageMs, reconnects },
          });
        }
      }
    })();
    void watching.catch(() => undefined);

    const stats = (): EdgeStats => ({
      engine: controller.status(),
      actions: { ...consumer.stats },
      natsReconnects: reconnects,
      telemetry: { ...telemetry.stats },
    });
    const service: Service = await new Svcm(bus.nc).add({
      name: EDGE_SERVICE,
      version: '0.1.0',
      description: 'OptiInfra gpu-edge: engine telemetry and control on one GPU node',
      metadata: { node, workload, engine: opts.adapter.kind },
      statsHandler: () => Promise.resolve(stats()),
    });
    service.addEndpoint('status', {
      subject: `oi.v1.edge.${node}.status`,
      handler: (_e, m) => m.respond(JSON.stringify(stats())),
    });
    cleanups.push(() => service.stop().then(() => undefined));
    logger.info({ engine: opts.adapter.kind, url: opts.adapter.url }, 'edge started');
    return {
      controller,
      actions,
      stats,
      stop: stopAll,
      [Symbol.asyncDispose]: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function pick<T extends object, K extends keyof T>(o: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

/** The adapter (fit-checked against `catalog`) and starting configuration for settings. */
export function edgeEngine(s: EdgeSettings, catalog: FitCatalog): { adapter: EngineAdapter; config: EngineConfig } {
  const fits = catalogFitChecker(catalog, s.gpu);
  const adapter =
    s.engine === 'sim'
      ? simAdapter({ gpu: s.gpu, fits, port: s.enginePort, speed: s.simSpeed })
      : vllmAdapter({ fits, port: s.enginePort, command: s.engineCommand });
  const config = applyEngineChanges(parseEngineConfig({ v: 1, model: s.model }), parseEngineFlags(s.engineArgs));
  return { adapter, config };
}

/** Runs the edge from settings on its own bus connection (`optiinfra edge`, `optiinfra serve edge`). */
export async function runEdgeWith(
  config: ProcessConfig,
  settings: EdgeSettings,
  logger: Logger,
  catalog: FitCatalog
): Promise<{ stop(): Promise<void> }> {
  const { adapter, config: engineConfig } = edgeEngine(settings, catalog);
  const bus = await connectBus({
    servers: config.natsUrl,
    name: `edge-${settings.node}`,
    logger,
    ...(config.natsUser ? { user: config.natsUser, pass: config.natsPass ?? '' } : {}),
  });
  try {
    const edge = await startEdge({
      bus,
      node: settings.node,
      workload: settings.workload,
      partitions: config.partitions,
      adapter,
      config: engineConfig,
      statePath: join(settings.stateDir, `${settings.node}.json`),
      telemetryIntervalMs: settings.telemetryIntervalMs,
      verifyWindowMs: settings.verifyWindowMs,
      healthTimeoutMs: settings.healthTimeoutMs,
      ...(settings.nvidiaSmi ? { nvidiaSmi: settings.nvidiaSmi } : {}),
      logger,
    });
    return {
      stop: async () => {
        await edge.stop();
        await bus.drain();
      },
    };
  } catch (err) {
    await bus.drain();
    throw err;
  }
}

/** `optiinfra serve edge`: settings from OI_EDGE_* and OI_NVIDIA_SMI. */
export async function runEdge(
  config: ProcessConfig,
  logger: Logger,
  catalog: FitCatalog
): Promise<{ stop(): Promise<void> }> {
  const raw: Partial<Record<EdgeSettingKey, string>> = edgeSettingsFromEnv(process.env, ENV_VARS);
  return runEdgeWith(config, parseEdgeSettings(raw), logger, catalog);
}

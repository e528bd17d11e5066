import type { NatsConnection } from '@nats-io/nats-core';
import { request } from '../../bus/index.js';
import { getWorkloadV1, subjects, workloadRecordV1, type WorkloadSpec } from '../../schemas/index.js';
import type { CloudProvider } from '../../sim/index.js';
import type { PriceBook } from './analysis.js';
import type { AgentContextSource } from './agent-actor.js';

/** The provider's instance types as analyzers see them: prices only from the provider. */
export async function priceBookFrom(provider: CloudProvider): Promise<PriceBook> {
  const types = await provider.listInstanceTypes();
  return {
    instanceTypes: types.map((t) => ({
      id: t.id,
      gpuId: t.gpuId,
      gpuCount: t.gpuCount,
      gpuMemoryGb: t.gpuMemoryGb,
      usdPerHour: Object.fromEntries(Object.entries(t.prices).map(([k, q]) => [k, q.usdPerHour])),
      ...(t.spotInterruptionsPerHour ? { spotInterruptionsPerHour: t.spotInterruptionsPerHour.value } : {}),
    })),
  };
}

/**
 * Workload specs from the supervisor's registry (`oi.v1.cmd.workload.get`) and prices from the
 * cloud provider, each cached for `ttlMs` of wall time: they change rarely, and an agent runs
 * once per interval per workload.
 */
export function registryContext(o: {
  nc: NatsConnection;
  provider: CloudProvider;
  ttlMs?: number;
  source: string;
}): AgentContextSource {
  const ttl = o.ttlMs ?? 30_000;
  const specs = new Map<string, { at: number; spec: WorkloadSpec | undefined }>();
  let prices: { at: number; book: Promise<PriceBook> } | undefined;
  return {
    async spec(workload) {
      const hit = specs.get(workload);
      if (hit && Date.now() - hit.at < ttl) return hit.spec;
      let spec: WorkloadSpec | undefined;
      try {
        const env = await request(
          o.nc,
          subjects.cmd('workload', 'get'),
          getWorkloadV1,
          { workload },
          { source: o.source }
        );
        spec = workloadRecordV1.data.parse(env.data);
      } catch (err) {
        if ((err as { code?: string }).code !== 'OI_NOT_FOUND') throw err;
        spec = undefined;
      }
      specs.set(workload, { at: Date.now(), spec });
      return spec;
    },
    prices() {
      if (!prices || Date.now() - prices.at >= ttl) {
        const book = priceBookFrom(o.provider);
        prices = { at: Date.now(), book };
        book.catch(() => (prices = undefined));
      }
      return prices.book;
    },
  };
}

import type { FleetControl, FleetInterval, PurchaseOption } from '../../sim/index.js';

type Listed = ReturnType<FleetControl['replicas']>[number];

/**
 * A FleetControl over a list, for policy tests: launches appear `provisioning`, retires mark
 * `draining`; `serveAll` brings provisioning replicas up. Records every call.
 */
export class FakeFleet implements FleetControl {
  readonly list: Listed[] = [];
  readonly calls: string[] = [];
  #n = 0;

  constructor(initial: Array<{ instanceType: string; purchaseOption: PurchaseOption }> = []) {
    for (const r of initial) this.list.push({ node: `n${this.#n++}`, ...r, state: 'serving' });
  }

  launchReplica(opts: { instanceType: string; purchaseOption: PurchaseOption }): Promise<string> {
    const node = `n${this.#n++}`;
    this.list.push({
      node,
      instanceType: opts.instanceType,
      purchaseOption: opts.purchaseOption,
      state: 'provisioning',
    });
    this.calls.push(`launch ${opts.instanceType}/${opts.purchaseOption}`);
    return Promise.resolve(node);
  }

  retireReplica(node: string): Promise<void> {
    const r = this.list.find((x) => x.node === node);
    if (!r) throw new Error(`unknown node ${node}`);
    r.state = 'draining';
    this.calls.push(`retire ${node}`);
    return Promise.resolve();
  }

  reconfigureReplica(node: string): Promise<void> {
    this.calls.push(`reconfigure ${node}`);
    return Promise.resolve();
  }

  setRouting(policy: string): void {
    this.calls.push(`routing ${policy}`);
  }

  replicas(): Listed[] {
    return this.list.filter((r) => r.state !== 'draining').concat(this.list.filter((r) => r.state === 'draining'));
  }

  serveAll(): void {
    for (const r of this.list) if (r.state === 'provisioning') r.state = 'serving';
  }

  active(): number {
    return this.list.filter((r) => r.state !== 'draining').length;
  }

  /** A telemetry boundary where every serving replica reports `waiting` queued requests and `kv` KV usage. */
  interval(tSec: number, waiting: number, kv = 0.1): FleetInterval {
    const replicas = this.list
      .filter((r) => r.state === 'serving')
      .map((r) => ({
        node: r.node,
        up: true,
        metricsText:
          `vllm:num_requests_waiting{engine="0",model_name="m"} ${waiting}\n` +
          `vllm:num_requests_running{engine="0",model_name="m"} 1\n` +
          `vllm:kv_cache_usage_perc{engine="0",model_name="m"} ${kv}\n`,
      }));
    return { tSec, replicas, summary: {} } as unknown as FleetInterval;
  }
}

import { check } from './check.js';
import { launchNats } from './nats-server.js';
import type { NatsServerHandle } from './nats-server.js';
import { freePorts } from './net.js';

export interface NatsClusterOptions {
  /** Number of nodes; default 3. */
  size?: number;
}

export interface NatsClusterHandle extends AsyncDisposable {
  /** Nodes `n1..nN`; kill and restart them one by one. */
  readonly servers: NatsServerHandle[];
  /** Client URLs of all nodes, for `connect({ servers: urls })`. */
  readonly urls: string[];
  /** Resolves when every running node sees all peers and agrees on a running meta leader. */
  waitForJetStream(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number; replicas?: { name: string }[] };
}

async function jsz(server: NatsServerHandle): Promise<Jsz> {
  const res = await fetch(`http://127.0.0.1:${server.monitorPort}/jsz`, { signal: AbortSignal.timeout(2000) });
  return (await res.json()) as Jsz;
}

/** A JetStream cluster on loopback; resolves once it has a meta leader. Ignores NATS_URL. */
export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsClusterHandle> {
  const size = opts.size ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new Error(`cluster size must be a positive integer, got ${size}`);
  // Routes name every peer up front, so those ports are chosen before any node starts.
  const ports = await freePorts(2 * size);
  const routePorts = ports.slice(0, size);
  const clusterName = `oi-test-${Math.random().toString(16).slice(2, 10)}`;
  const routes = routePorts.map((p) => `nats-route://127.0.0.1:${p}`).join(', ');
  const started = await Promise.allSettled(
    routePorts.map((routePort, i) =>
      launchNats({
        name: `n${i + 1}`,
        port: ports[size + i],
        extraConfig: `cluster { name: "${clusterName}", listen: "127.0.0.1:${routePort}", routes: [${routes}] }`,
      })
    )
  );
  const servers = started.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = started.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(servers.map((s) => s.stop()));
    throw failed.reason;
  }
  const cluster = new LocalCluster(servers);
  try {
    await cluster.form();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

class LocalCluster implements NatsClusterHandle {
  constructor(readonly servers: NatsServerHandle[]) {}

  get urls(): string[] {
    return this.servers.map((s) => s.url);
  }

  async waitForJetStream(timeoutMs = 30_000): Promise<void> {
    await check(() => this.#jetStreamReady(), timeoutMs, { name: 'JetStream meta leader', intervalMs: 100 });
  }

  /**
   * nats-server 2.10 sometimes boots a meta group that left one node out when nodes start
   * together (R3 then fails: "no suitable peers"). Restarting the left-out node makes the
   * leader add it; seen in ~1 of 6 cold starts here, always healed by one restart.
   */
  async form(rounds = 4): Promise<void> {
    for (let round = 1; ; round++) {
      try {
        return await this.waitForJetStream(round === 1 ? 3000 : 10_000);
      } catch (err) {
        if (round >= rounds) throw err;
      }
      for (const server of await this.#outsideMetaGroup()) await server.restart();
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((s) => s.stop()));
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }

  async #jetStreamReady(): Promise<boolean> {
    const running = this.servers.filter((s) => s.running);
    const names = new Set(running.map((s) => s.name));
    const leaders = await Promise.all(
      running.map(async (s) => {
        const meta = (await jsz(s)).meta_cluster;
        if (meta?.cluster_size !== this.servers.length) throw new Error(`${s.name} sees ${meta?.cluster_size} peers`);
        return meta.leader ?? '';
      })
    );
    // A node that just lost the leader still names it for a moment: require a live, agreed one.
    const leader = leaders[0];
    if (!leader || !names.has(leader) || leaders.some((l) => l !== leader)) {
      throw new Error(`meta leaders seen: ${leaders.map((l) => l || '(none)').join(', ')}`);
    }
    return true;
  }

  async #outsideMetaGroup(): Promise<NatsServerHandle[]> {
    const views = await Promise.all(this.servers.map((s) => jsz(s).catch(() => undefined)));
    const i = views.findIndex((v, n) => v?.meta_cluster?.leader === this.servers[n]!.name);
    if (i < 0) return this.servers; // no leader at all: start everyone again
    const members = new Set([this.servers[i]!.name, ...(views[i]!.meta_cluster!.replicas ?? []).map((r) => r.name)]);
    return this.servers.filter((s) => !members.has(s.name));
  }
}

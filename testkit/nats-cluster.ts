import { randomBytes } from 'node:crypto';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { check } from './check.js';
import { launchNats } from './nats-server.js';
import type { NatsServerHandle } from './nats-server.js';
import { freePorts } from './net.js';
import { isPortClash } from './process.js';

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
  meta_cluster?: {
    leader?: string;
    cluster_size?: number;
    replicas?: { name: string; current?: boolean; offline?: boolean }[];
  };
}

async function jsz(server: NatsServerHandle): Promise<Jsz> {
  const res = await fetch(`http://127.0.0.1:${server.monitorPort}/jsz`, { signal: AbortSignal.timeout(2000) });
  return (await res.json()) as Jsz;
}

/** A JetStream cluster on loopback; resolves once a stream can be placed on every node. Ignores NATS_URL. */
export async function startNatsCluster(opts: NatsClusterOptions = {}): Promise<NatsClusterHandle> {
  const size = opts.size ?? 3;
  if (!Number.isInteger(size) || size < 1) throw new Error(`cluster size must be a positive integer, got ${size}`);
  for (let attempt = 1; ; attempt++) {
    try {
      return await launchCluster(size);
    } catch (err) {
      // Another process may bind a route port between our probe and the node's bind.
      if (attempt >= 3 || !isPortClash(err)) throw err;
    }
  }
}

async function launchCluster(size: number): Promise<LocalCluster> {
  // Routes name every peer up front, so those ports are chosen before any node starts.
  const routePorts = await freePorts(size);
  const clusterName = `oi-test-${randomBytes(4).toString('hex')}`;
  const routes = routePorts.map((p) => `nats-route://127.0.0.1:${p}`).join(', ');
  const started = await Promise.allSettled(
    routePorts.map((routePort, i) =>
      launchNats({
        name: `n${i + 1}`,
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
        await this.waitForJetStream(round === 1 ? 3000 : 10_000);
        return await this.#probePlacement();
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
    const views = await Promise.all(running.map(async (s) => ({ name: s.name, meta: (await jsz(s)).meta_cluster })));
    for (const { name, meta } of views) {
      if (meta?.cluster_size !== this.servers.length) throw new Error(`${name} sees ${meta?.cluster_size} peers`);
    }
    // A node that just lost the leader still names it for a moment: require a live, agreed one.
    const leaders = views.map((v) => v.meta?.leader ?? '');
    const leader = views.find((v) => v.name === leaders[0]);
    if (!leader || leaders.some((l) => l !== leader.name)) {
      throw new Error(`meta leaders seen: ${leaders.map((l) => l || '(none)').join(', ')}`);
    }
    // Placement skips peers the leader deems offline or behind ("no suitable peers").
    const replicas = new Map((leader.meta?.replicas ?? []).map((r) => [r.name, r]));
    for (const { name } of views) {
      const r = replicas.get(name);
      if (name !== leader.name && (!r?.current || r.offline)) throw new Error(`${name} is not a current meta peer yet`);
    }
    return true;
  }

  // The leader places a stream only on peers whose stats reached it, which /jsz does not show:
  // so place (and delete) one stream over every node, as a test would.
  async #probePlacement(): Promise<void> {
    const nc = await connect({ servers: this.urls });
    try {
      const jsm = await jetstreamManager(nc);
      const id = randomBytes(4).toString('hex');
      const config = {
        name: `OI_TESTKIT_PROBE_${id}`,
        subjects: [`_oi_testkit_probe.${id}`],
        num_replicas: Math.min(this.servers.length, 5),
        storage: StorageType.Memory,
      };
      await check(() => jsm.streams.add(config), 5000, { name: 'stream placement on every node', intervalMs: 200 });
      await jsm.streams.delete(config.name);
    } finally {
      await nc.close();
    }
  }

  async #outsideMetaGroup(): Promise<NatsServerHandle[]> {
    const views = await Promise.all(this.servers.map((s) => jsz(s).catch(() => undefined)));
    const i = views.findIndex((v, n) => v?.meta_cluster?.leader === this.servers[n]!.name);
    if (i < 0) return this.servers; // no leader at all: start everyone again
    const members = new Set([this.servers[i]!.name, ...(views[i]!.meta_cluster!.replicas ?? []).map((r) => r.name)]);
    return this.servers.filter((s) => !members.has(s.name));
  }
}

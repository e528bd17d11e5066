import type { KV } from '@nats-io/kv';
import { z } from 'zod';
import type { Bus } from '../../bus/index.js';
import { KV_BUCKETS } from '../../schemas/index.js';
import { silentLogger, type Logger } from '../../config/index.js';

/** A host's heartbeat in `oi_health` under `host.<id>`; persisted, so it carries `v`. */
export const hostInfoV1 = z.object({
  v: z.literal(1),
  hostId: z.string().min(1),
  /** Wall-clock ms: the host counts as live until then (expired KV entries linger on 2.10). */
  deadline: z.number().nonnegative(),
  /** Partitions the host holds leases for right now. */
  partitions: z.array(z.number().int().nonnegative()),
  startedAt: z.number().nonnegative(),
  pid: z.number().int().nonnegative(),
  version: z.string(),
});
export type HostInfo = z.infer<typeof hostInfoV1>;

/** What a host reports about itself at each heartbeat. */
export type HostReport = Pick<HostInfo, 'partitions' | 'startedAt' | 'pid' | 'version'>;

export interface HostScan {
  live: HostInfo[];
  /** Heartbeats whose deadline passed: dead or stalled hosts. */
  expired: HostInfo[];
  /** Keys whose value fails the schema; never counted as live. */
  invalid: { key: string; error: string }[];
}

const HOST_ID = /^[-_=a-zA-Z0-9]+(\.[-_=a-zA-Z0-9]+)*$/;

/** KV key of a host's heartbeat. */
export function hostKey(hostId: string): string {
  if (!HOST_ID.test(hostId)) throw new Error(`invalid host id '${hostId}': dot-separated tokens of [-_=a-zA-Z0-9]`);
  return `host.${hostId}`;
}

/** Host heartbeats with deadlines: liveness is judged by the deadline in the value, never by KV expiry. */
export class HostRegistry {
  readonly #logger: Logger;

  constructor(
    private readonly kv: KV,
    opts: { logger?: Logger } = {}
  ) {
    this.#logger = opts.logger ?? silentLogger;
  }

  static async open(
    bus: Pick<Bus, 'kvm'>,
    bucket: string = KV_BUCKETS.health,
    opts: { logger?: Logger } = {}
  ): Promise<HostRegistry> {
    return new HostRegistry(await bus.kvm.open(bucket), opts);
  }

  /** Writes `host.<id>` with a deadline `ttlMs` ahead of `now`. */
  async heartbeat(hostId: string, info: HostReport, ttlMs: number, now: number = Date.now()): Promise<HostInfo> {
    if (!(Number.isFinite(ttlMs) && ttlMs > 0)) throw new Error(`ttlMs must be a positive number, got ${ttlMs}`);
    const value = hostInfoV1.parse({ v: 1, hostId, deadline: now + ttlMs, ...info });
    await this.kv.put(hostKey(hostId), JSON.stringify(value));
    return value;
  }

  /** Hosts whose deadline is still ahead of `now`, sorted by id. */
  async live(now: number = Date.now()): Promise<HostInfo[]> {
    return (await this.scan(now)).live;
  }

  /** Every heartbeat, split into live, expired and invalid. */
  async scan(now: number = Date.now()): Promise<HostScan> {
    // a key updated while listing can be listed twice: one host must count once
    const unique = new Set<string>();
    for await (const k of await this.kv.keys('host.>')) unique.add(k);
    const keys = [...unique].sort();
    const out: HostScan = { live: [], expired: [], invalid: [] };
    const entries = await Promise.all(keys.map(async (key) => [key, await this.kv.get(key)] as const));
    for (const [key, e] of entries) {
      if (!e || e.operation !== 'PUT') continue;
      const parsed = parseHost(key, e.value);
      if (typeof parsed === 'string') {
        this.#logger.warn({ key, error: parsed }, 'invalid heartbeat ignored');
        out.invalid.push({ key, error: parsed });
      } else if (now < parsed.deadline) out.live.push(parsed);
      else out.expired.push(parsed);
    }
    return out;
  }

  /** Removes the heartbeat at graceful shutdown, so placement moves on without waiting a ttl. */
  async remove(hostId: string): Promise<void> {
    await this.kv.purge(hostKey(hostId));
  }
}

function parseHost(key: string, bytes: Uint8Array): HostInfo | string {
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return 'not JSON';
  }
  const parsed = hostInfoV1.safeParse(raw);
  if (!parsed.success)
    return parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  if (`host.${parsed.data.hostId}` !== key) return `hostId '${parsed.data.hostId}' does not match the key`;
  return parsed.data;
}

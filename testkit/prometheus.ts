import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { check } from './check.js';
import { infraPath } from './infra-env.js';
import { freePort } from './net.js';
import { makeTempDir } from './process.js';
import type { ServerProcess, SpawnSpec } from './process.js';
import { LocalServer } from './server-handle.js';

/** One endpoint Prometheus scrapes. */
export interface ScrapeTarget {
  /** The `job` label; targets of one job share a scrape config. */
  job: string;
  /** `host:port`, as in `static_configs.targets`. */
  address: string;
  /** Default `/metrics`. */
  metricsPath?: string;
}

export interface PrometheusOptions {
  scrapeTargets: readonly ScrapeTarget[];
  /** Scrape interval (and timeout) of every target; default 1000. */
  scrapeIntervalMs?: number;
}

/** The parts of `/api/v1/targets` the tests read. */
export interface ActiveTarget {
  labels: Record<string, string>;
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
}

export interface PrometheusHandle extends AsyncDisposable {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly running: boolean;
  /** The last ~256 KiB of the server's log, across restarts. */
  getLog(): string;
  /** The active targets as Prometheus reports them. */
  targets(): Promise<ActiveTarget[]>;
  /**
   * Resolves once every target has been scraped at least once. Prometheus applies new targets
   * on a 5 s throttle after startup, so the first scrape can come that late.
   */
  waitForScrapes(timeoutMs?: number): Promise<ActiveTarget[]>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and removes its temp dir (config and TSDB); idempotent. */
  stop(): Promise<void>;
}

const ADDRESS = /^[A-Za-z0-9.-]+:\d{1,5}$/;
const JOB = /^[A-Za-z_][A-Za-z0-9_-]*$/;
const NEVER_SCRAPED = '0001-01-01T00:00:00Z';

/** Checks the options and renders `prometheus.yml` (JSON is valid YAML). */
export function prometheusConfig(opts: PrometheusOptions): string {
  const intervalMs = opts.scrapeIntervalMs ?? 1000;
  if (!Number.isInteger(intervalMs) || intervalMs < 100) {
    throw new Error(`startPrometheus: scrapeIntervalMs must be an integer ≥ 100 (ms), got ${intervalMs}`);
  }
  if (opts.scrapeTargets.length === 0) throw new Error('startPrometheus: scrapeTargets must name at least one target');
  const jobs = new Map<string, { path: string; targets: string[] }>();
  opts.scrapeTargets.forEach((t, i) => {
    if (!JOB.test(t.job)) throw new Error(`startPrometheus: scrapeTargets[${i}].job "${t.job}" must match ${JOB}`);
    if (!ADDRESS.test(t.address)) {
      throw new Error(`startPrometheus: scrapeTargets[${i}].address "${t.address}" must be host:port`);
    }
    const path = t.metricsPath ?? '/metrics';
    if (!path.startsWith('/')) {
      throw new Error(`startPrometheus: scrapeTargets[${i}].metricsPath "${path}" must start with /`);
    }
    const job = jobs.get(t.job) ?? { path, targets: [] };
    if (job.path !== path) {
      throw new Error(`startPrometheus: scrapeTargets[${i}].metricsPath differs from job ${t.job}'s ${job.path}`);
    }
    job.targets.push(t.address);
    jobs.set(t.job, job);
  });
  const every = `${intervalMs}ms`;
  return JSON.stringify({
    global: { scrape_interval: every, scrape_timeout: every, evaluation_interval: every },
    scrape_configs: [...jobs].map(([job, { path, targets }]) => ({
      job_name: job,
      metrics_path: path,
      static_configs: [{ targets }],
    })),
  });
}

/** A Prometheus server on loopback (OI_PROMETHEUS or `.infra/versions.env`), scraping the given targets. */
export async function startPrometheus(opts: PrometheusOptions): Promise<PrometheusHandle> {
  const config = prometheusConfig(opts);
  const bin = infraPath('OI_PROMETHEUS', 'prometheus 2.53');
  const server = new LocalPrometheus(bin, await makeTempDir('prometheus'), config);
  return server.boot(async () => {
    server.port = await freePort();
  });
}

class LocalPrometheus extends LocalServer implements PrometheusHandle {
  port = 0;

  constructor(
    private readonly bin: string,
    private readonly dir: string,
    private readonly config: string
  ) {
    super('prometheus', [dir], 'SIGTERM');
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  protected async spec(): Promise<SpawnSpec> {
    const file = join(this.dir, 'prometheus.yml');
    await writeFile(file, this.config);
    return {
      command: this.bin,
      args: [
        `--config.file=${file}`,
        `--storage.tsdb.path=${join(this.dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${this.port}`,
        '--storage.tsdb.retention.time=1h',
      ],
      cwd: this.dir,
    };
  }

  protected async ready(_proc: ServerProcess, signal: AbortSignal): Promise<void> {
    const ready = async (): Promise<boolean> => (await fetch(`${this.url}/-/ready`, { signal })).ok;
    await check(ready, 30_000, { name: 'prometheus /-/ready', signal });
    // the listener must be ours, not a foreign server that took the port first
    const flags = (await (await fetch(`${this.url}/api/v1/status/flags`, { signal })).json()) as {
      data?: Record<string, string>;
    };
    const tsdb = flags.data?.['storage.tsdb.path'];
    if (tsdb !== join(this.dir, 'data')) throw new Error(`port ${this.port} serves a prometheus on ${tsdb}`);
  }

  async targets(): Promise<ActiveTarget[]> {
    const res = await fetch(`${this.url}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(5000) });
    const body = (await res.json()) as { data?: { activeTargets?: ActiveTarget[] } };
    if (!res.ok || !body.data?.activeTargets) throw new Error(`prometheus /api/v1/targets: HTTP ${res.status}`);
    return body.data.activeTargets;
  }

  waitForScrapes(timeoutMs = 20_000): Promise<ActiveTarget[]> {
    const scraped = async (): Promise<ActiveTarget[] | false> => {
      const targets = await this.targets();
      return targets.length > 0 && targets.every((t) => t.lastScrape !== NEVER_SCRAPED) && targets;
    };
    return check(scraped, timeoutMs, { name: 'every target scraped once', intervalMs: 100 });
  }
}

/**
 * Pictures without Grafana: runs every panel's own SQL against the ClickHouse of the config
 * (OI_CLICKHOUSE_URL, _DB, _USER, _PASSWORD) and writes `.dashboards/<dashboard>/<panel>.png`.
 *
 *   npm run dashboards:png -- [--from now-6h] [--to now] [--interval-s 60]
 *     [--workload a,b] [--node n1] [--agent cost] [--dashboard cost,performance] [--out .dashboards]
 *
 * `--from`/`--to` take ISO-8601 times or `now`, `now-<n>{m,h,d}`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/index.js';
import { openClickHouse } from '../stores/index.js';
import { DASHBOARDS, panelPng, queryPanel, type QueryContext } from './index.js';

const { values } = parseArgs({
  options: {
    from: { type: 'string', default: 'now-6h' },
    to: { type: 'string', default: 'now' },
    'interval-s': { type: 'string', default: '60' },
    workload: { type: 'string' },
    node: { type: 'string' },
    agent: { type: 'string' },
    dashboard: { type: 'string' },
    out: { type: 'string', default: '.dashboards' },
  },
});

/** `now`, `now-90m`, `now-6h`, `now-7d`, or an ISO-8601 time. */
function timeArg(flag: string, raw: string, nowMs: number): number {
  const rel = /^now(?:-(\d+)([mhd]))?$/.exec(raw);
  if (rel)
    return (
      nowMs - (rel[1] ? Number(rel[1]) * { m: 60_000, h: 3_600_000, d: 86_400_000 }[rel[2] as 'm' | 'h' | 'd'] : 0)
    );
  const t = Date.parse(raw);
  if (Number.isNaN(t)) throw new Error(`--${flag}: expected now, now-<n>{m,h,d} or an ISO-8601 time, got '${raw}'`);
  return t;
}

const list = (raw: string | undefined): string[] | 'all' =>
  raw === undefined ? 'all' : raw.split(',').map((s) => s.trim());

const now = Date.now();
const ctx: QueryContext = {
  fromMs: timeArg('from', values.from, now),
  toMs: timeArg('to', values.to, now),
  intervalS: Number(values['interval-s']),
  vars: { workload: list(values.workload), node: list(values.node), agent: list(values.agent) },
};
if (!Number.isInteger(ctx.intervalS) || ctx.intervalS < 1) {
  throw new Error(`--interval-s: expected a whole number of seconds ≥ 1, got '${values['interval-s']}'`);
}
if (ctx.toMs <= ctx.fromMs) throw new Error('--to must be after --from');
const names = list(values.dashboard);
const unknown = names === 'all' ? [] : names.filter((n) => !(n in DASHBOARDS));
if (unknown.length)
  throw new Error(`--dashboard: unknown ${unknown.join(', ')} (known: ${Object.keys(DASHBOARDS).join(', ')})`);

const config = loadConfig();
const ch = await openClickHouse({
  url: config.clickhouseUrl,
  database: config.clickhouseDb,
  username: config.clickhouseUser,
  password: config.clickhousePassword,
});
try {
  for (const [name, spec] of Object.entries(DASHBOARDS)) {
    if (names !== 'all' && !names.includes(name)) continue;
    const dir = join(values.out, name);
    await mkdir(dir, { recursive: true });
    for (const panel of spec.panels) {
      const rows = await queryPanel(ch, panel, ctx);
      await writeFile(join(dir, `${panel.key}.png`), panelPng(panel, rows));
      process.stdout.write(`${join(dir, `${panel.key}.png`)} (${rows.length} rows)\n`);
    }
  }
} finally {
  await ch.close();
}

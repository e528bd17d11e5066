import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS, DASHBOARD_JSON_DIR, DATASOURCE, VARIABLES, generatedDashboardFiles } from '../index.js';

const PROVISIONING = join(DASHBOARD_JSON_DIR, '..', 'provisioning');
const COMPOSE = join(DASHBOARD_JSON_DIR, '..', '..', 'docker-compose.yml');

interface Json {
  uid: string;
  panels: {
    id: number;
    datasource?: { uid: string };
    targets: { datasource?: { uid: string; type: string }; rawSql: string }[];
  }[];
  templating: { list: { name: string; query: string; datasource: { uid: string } }[] };
}

const committed = async (): Promise<Map<string, Json>> => {
  const files = (await readdir(DASHBOARD_JSON_DIR)).filter((f) => f.endsWith('.json')).sort();
  const out = new Map<string, Json>();
  for (const f of files) out.set(f, JSON.parse(await readFile(join(DASHBOARD_JSON_DIR, f), 'utf8')) as Json);
  return out;
};

/** `$workload`, `${node}`, `${agent:singlequote}` … but not the plugin's `$__` macros. */
const variablesIn = (sql: string): string[] => [...sql.matchAll(/\$\{?(?!__)(\w+)/g)].map((m) => m[1]!);

describe('dashboards json', () => {
  it('committed json/*.json equals what build.ts generates (run `npx tsx dashboards/build.ts`)', async () => {
    const generated = await generatedDashboardFiles();
    const files = (await readdir(DASHBOARD_JSON_DIR)).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual([...generated.keys()].sort());
    for (const [file, text] of generated)
      expect(await readFile(join(DASHBOARD_JSON_DIR, file), 'utf8'), file).toBe(text);
  });

  it('gives every panel a unique id and the ClickHouse datasource on the panel and every target', async () => {
    const uids = new Set<string>();
    for (const [file, d] of await committed()) {
      uids.add(d.uid);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size, file).toBe(ids.length);
      for (const p of d.panels) {
        expect(p.datasource?.uid, `${file} panel ${p.id}`).toBe(DATASOURCE.uid);
        expect(p.targets.length).toBeGreaterThan(0);
        for (const t of p.targets) expect(t.datasource, `${file} panel ${p.id}`).toEqual(DATASOURCE);
      }
    }
    expect(uids.size).toBe(Object.keys(DASHBOARDS).length);
  });

  it('uses only known variables, each declared by its dashboard', async () => {
    for (const [file, d] of await committed()) {
      const declared = d.templating.list.map((v) => v.name);
      expect(
        declared.every((v) => (VARIABLES as readonly string[]).includes(v)),
        file
      ).toBe(true);
      const sql = [
        ...d.panels.flatMap((p) => p.targets.map((t) => t.rawSql)),
        ...d.templating.list.map((v) => v.query),
      ];
      for (const s of sql) for (const v of variablesIn(s)) expect(declared, `${file}: $${v}`).toContain(v);
    }
  });

  it('parses the provisioning files, which name the dashboards folder docker-compose mounts and the datasource uid', async () => {
    const ds = parse(await readFile(join(PROVISIONING, 'datasources', 'clickhouse.yml'), 'utf8')) as {
      datasources: { uid: string; type: string }[];
    };
    expect(ds.datasources.map((d) => ({ uid: d.uid, type: d.type }))).toEqual([DATASOURCE]);
    const prov = parse(await readFile(join(PROVISIONING, 'dashboards', 'optiinfra.yml'), 'utf8')) as {
      providers: { type: string; options: { path: string } }[];
    };
    const path = prov.providers[0]!.options.path;
    expect(prov.providers[0]!.type).toBe('file');
    const compose = parse(await readFile(COMPOSE, 'utf8')) as { services: { grafana: { volumes: string[] } } };
    expect(compose.services.grafana.volumes).toContain(`./dashboards/json:${path}:ro`);
  });
});

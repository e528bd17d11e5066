import { readFile, writeFile, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DASHBOARDS } from './catalog.js';
import { toGrafanaDashboard } from './grafana-json.js';

/** `dashboards/json`: the folder Grafana's file provider reads (provisioning/dashboards/optiinfra.yml). */
export const DASHBOARD_JSON_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'json');

/** Every dashboard's JSON text as committed: formatted by the repository's Prettier settings. */
export async function generatedDashboardFiles(): Promise<Map<string, string>> {
  // a dev dependency: loaded only when generating, so the module works in a production install
  const { format, resolveConfig } = await import('prettier');
  const files = new Map<string, string>();
  for (const [name, spec] of Object.entries(DASHBOARDS)) {
    const path = join(DASHBOARD_JSON_DIR, `${name}.json`);
    const options = { ...(await resolveConfig(path)), filepath: path };
    files.set(`${name}.json`, await format(JSON.stringify(toGrafanaDashboard(spec)), options));
  }
  return files;
}

/** Writes the JSON files; with `check`, writes nothing and returns the files that differ from the generated. */
export async function writeDashboardFiles(opts: { dir?: string; check?: boolean } = {}): Promise<string[]> {
  const dir = opts.dir ?? DASHBOARD_JSON_DIR;
  const stale: string[] = [];
  await mkdir(dir, { recursive: true });
  for (const [file, text] of await generatedDashboardFiles()) {
    const path = join(dir, file);
    const current = await readFile(path, 'utf8').catch(() => undefined);
    if (current === text) continue;
    stale.push(file);
    if (!opts.check) await writeFile(path, text);
  }
  return stale;
}

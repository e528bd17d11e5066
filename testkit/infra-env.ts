import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Keys that `npm run setup` writes into `.infra/versions.env`. */
export type InfraKey = 'OI_NATS_SERVER' | 'OI_CHDB_SERVER' | 'OI_CHDB_LIB' | 'OI_PG_BIN' | 'OI_PROMETHEUS';

export const SETUP_HINT = 'run `npm run setup` (it installs the servers and writes .infra/versions.env)';

/** The repository root: the nearest folder above this file with a package.json (works from dist/ too). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

let fileCache: Map<string, string> | undefined;

function versionsFile(): Map<string, string> {
  if (fileCache) return fileCache;
  const values = new Map<string, string>();
  const path = join(repoRoot(), '.infra', 'versions.env');
  if (existsSync(path)) {
    for (const line of readFileSync(path, 'utf8').split('\n')) {
      const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
      if (m) values.set(m[1]!, m[2]!.trim().replace(/^(['"])(.*)\1$/, '$2'));
    }
  }
  fileCache = values;
  return values;
}

/**
 * The path setup recorded for `key`: the environment wins, then `.infra/versions.env`.
 * Throws with the setup hint when it is unknown or not on disk (`executable` also checks +x).
 */
export function infraPath(key: InfraKey, what: string, executable = true): string {
  const fromEnv = process.env[key];
  const path = fromEnv || versionsFile().get(key);
  if (!path) throw new Error(`${what}: ${key} is not set and .infra/versions.env does not name it; ${SETUP_HINT}`);
  try {
    accessSync(path, executable ? constants.X_OK : constants.R_OK);
  } catch {
    const source = fromEnv ? `the environment` : `.infra/versions.env`;
    throw new Error(`${what} not found at ${path} (${key} from ${source}); ${SETUP_HINT}`);
  }
  return path;
}

/** Returns `path` if it is an executable file, else throws with the setup hint. */
export function requireExecutable(path: string): string {
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`${path} is missing or not executable; ${SETUP_HINT}`);
  }
  return path;
}

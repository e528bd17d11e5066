/**
 * Writes dashboards/json/*.json from the TypeScript sources (`npx tsx dashboards/build.ts`);
 * `--check` writes nothing and fails when a committed file differs from the generated one.
 */
import { writeDashboardFiles } from './index.js';

const check = process.argv.includes('--check');
const stale = await writeDashboardFiles({ check });
if (check && stale.length > 0) {
  process.stderr.write(`stale dashboards: ${stale.join(', ')} (run \`npx tsx dashboards/build.ts\`)\n`);
  process.exit(1);
}
process.stdout.write(`${check ? 'checked' : 'wrote'} dashboards/json (${stale.length} changed)\n`);

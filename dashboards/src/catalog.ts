import { application } from './application.js';
import { cost } from './cost.js';
import { decisions } from './decisions.js';
import { fleetOverview } from './fleet-overview.js';
import type { DashboardSpec } from './panel-spec.js';
import { performance } from './performance.js';
import { resource } from './resource.js';
import { system } from './system.js';

/** Every dashboard, keyed by its JSON file name (`json/<key>.json`) and PNG folder. */
export const DASHBOARDS: Readonly<Record<string, DashboardSpec>> = {
  'fleet-overview': fleetOverview,
  cost,
  performance,
  resource,
  application,
  decisions,
  system,
};

import { z } from 'zod';

/**
 * When a workload's actions may run. Two window shapes, both UTC:
 * - `range`: an explicit interval `[start, end)` (ISO timestamps), e.g. a planned change slot;
 * - `weekly`: a slot recurring on some days of the week, `start` `HH:MM` for `duration_min`
 *   minutes (may cross midnight), e.g. Saturdays and Sundays 02:00 for 4 h.
 * `policy: 'inside'` allows actions only inside a window; `'outside'` is a freeze: never inside.
 */
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'time of day as HH:MM (UTC, 24 h)');

export const maintenanceWindowSpec = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('range'),
      start: z.iso.datetime({ offset: true }),
      end: z.iso.datetime({ offset: true }),
    })
    .refine((r) => Date.parse(r.end) > Date.parse(r.start), { message: 'end must be after start', path: ['end'] }),
  z.object({
    kind: z.literal('weekly'),
    days: z.array(z.number().int().min(0).max(6)).min(1).describe('0 = Sunday … 6 = Saturday'),
    start: hhmm,
    duration_min: z
      .number()
      .int()
      .min(1)
      .max(7 * 24 * 60),
  }),
]);
export type MaintenanceWindowSpec = z.infer<typeof maintenanceWindowSpec>;

export const maintenancePolicySpec = z.object({
  policy: z.enum(['inside', 'outside']),
  windows: z.array(maintenanceWindowSpec).min(1),
});
export type MaintenancePolicy = z.infer<typeof maintenancePolicySpec>;

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Whether event time `atMs` lies inside `window`. */
export function inWindow(window: MaintenanceWindowSpec, atMs: number): boolean {
  if (window.kind === 'range') return atMs >= Date.parse(window.start) && atMs < Date.parse(window.end);
  const [h, m] = window.start.split(':').map(Number) as [number, number];
  const durationMs = window.duration_min * MINUTE_MS;
  // a slot that started on an earlier day (up to a week ago) may still be open
  const dayStart = Math.floor(atMs / DAY_MS) * DAY_MS;
  for (let back = 0; back <= 7; back++) {
    const startMs = dayStart - back * DAY_MS + (h * 60 + m) * MINUTE_MS;
    const weekday = new Date(startMs).getUTCDay();
    if (window.days.includes(weekday) && atMs >= startMs && atMs < startMs + durationMs) return true;
  }
  return false;
}

/** `undefined` when actions may run at `atMs`, else the reason they may not. */
export function maintenanceBlock(policy: MaintenancePolicy, atMs: number): string | undefined {
  const inside = policy.windows.some((w) => inWindow(w, atMs));
  if (policy.policy === 'inside' && !inside) return 'outside every maintenance window (actions run only inside one)';
  if (policy.policy === 'outside' && inside) return 'inside a change freeze (actions run only outside its windows)';
  return undefined;
}

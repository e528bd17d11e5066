/** The window a report reads: bucket-aligned, and the rollup that answers it. */
export interface ReportWindow {
  from: Date;
  to: Date;
  rollup: '1m' | '1h';
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
/** Up to a day the 1-minute rollup answers (≤ 1,440 buckets per series); beyond, the 1-hour one. */
const MINUTE_ROLLUP_MAX_MS = 24 * HOUR;

/** Defaults (`to` = now, `from` = an hour before `to`), then widens both ends to whole buckets. */
export function resolveWindow(req: { from?: string | undefined; to?: string | undefined }, now: Date): ReportWindow {
  const to = req.to !== undefined ? Date.parse(req.to) : now.getTime();
  const from = req.from !== undefined ? Date.parse(req.from) : to - HOUR;
  const rollup = to - from <= MINUTE_ROLLUP_MAX_MS ? '1m' : '1h';
  const step = rollup === '1m' ? MINUTE : HOUR;
  return {
    from: new Date(Math.floor(from / step) * step),
    to: new Date(Math.ceil(to / step) * step),
    rollup,
  };
}

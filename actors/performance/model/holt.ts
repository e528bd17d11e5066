import { mean, stdDev } from './stats.js';

/** Holt's linear smoothing (level + trend) with burst detection and an optional daily term. */
export interface HoltOptions {
  /** Level smoothing, 0–1. */
  alpha: number;
  /** Trend smoothing, 0–1. */
  beta: number;
  /** A point above level + k·σ of the one-step residuals counts as a burst. */
  burstSigmas: number;
  /** Newest points whose least-squares slope must be significant for the trend to be used. */
  trendPoints: number;
  /** |slope| / its standard error at or above which the trend counts (else the level alone is used). */
  trendMinT: number;
}

export interface Forecast {
  /** Forecast `steps` intervals ahead (never below 0). */
  value: number;
  level: number;
  trendPerStep: number;
  /** The newest point sat above the burst band: the forecast is at least that point. */
  burst: boolean;
  /** Slope t-statistic over the newest points; the trend is extrapolated only when significant. */
  trendT: number;
  /** Daily seasonal term added (only with two days of history). */
  seasonal: number;
}

export interface SeriesPoint {
  ts: number;
  value: number;
}

const DAY_MS = 86_400_000;

/**
 * Forecasts `steps` intervals of `stepMs` ahead. The daily component joins only once the series
 * spans two days: one day cannot tell a daily pattern from a trend.
 */
export function holtForecast(series: readonly SeriesPoint[], steps: number, stepMs: number, o: HoltOptions): Forecast {
  if (series.length === 0) return { value: 0, level: 0, trendPerStep: 0, burst: false, trendT: 0, seasonal: 0 };
  const spanMs = series.at(-1)!.ts - series[0]!.ts;
  const seasonalOn = spanMs >= 2 * DAY_MS;
  const deseason = seasonalOn ? dailyProfile(series) : undefined;
  const x = series.map((p) => p.value - (deseason?.(p.ts) ?? 0));
  let level = x[0]!;
  let trend = 0;
  const residuals: number[] = [];
  for (let i = 1; i < x.length; i++) {
    const predicted = level + trend;
    residuals.push(x[i]! - predicted);
    const prevLevel = level;
    level = o.alpha * x[i]! + (1 - o.alpha) * (level + trend);
    trend = o.beta * (level - prevLevel) + (1 - o.beta) * trend;
  }
  const sigma = stdDev(residuals.slice(0, -1));
  const lastResidual = residuals.at(-1) ?? 0;
  const burst = residuals.length > 3 && sigma > 0 && lastResidual > o.burstSigmas * sigma;
  const seasonal = deseason ? deseason(series.at(-1)!.ts + steps * stepMs) : 0;
  // over a horizon of many steps noise in the trend is amplified: extrapolate only a real slope
  const trendT = slopeT(x.slice(-o.trendPoints));
  const used = trendT >= o.trendMinT ? trend : Math.min(0, trend);
  let value = level + used * steps + seasonal;
  // a burst is not a trend: hold at least its height instead of extrapolating its slope
  if (burst) value = Math.max(value, series.at(-1)!.value);
  return { value: Math.max(0, value), level, trendPerStep: used, burst, trendT, seasonal };
}

/** t-statistic of the least-squares slope of equally spaced values (0 with fewer than 4). */
function slopeT(y: readonly number[]): number {
  const n = y.length;
  if (n < 4) return 0;
  const xm = (n - 1) / 2;
  const ym = mean(y);
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (i - xm) ** 2;
    sxy += (i - xm) * (y[i]! - ym);
  }
  const slope = sxy / sxx;
  const sse = y.reduce((a, v, i) => a + (v - ym - slope * (i - xm)) ** 2, 0);
  const se = Math.sqrt(sse / (n - 2) / sxx);
  return se > 0 ? slope / se : slope > 0 ? Infinity : 0;
}

/** Mean deviation from the series mean by hour of day (UTC), as a function of time. */
function dailyProfile(series: readonly SeriesPoint[]): (ts: number) => number {
  const overall = mean(series.map((p) => p.value));
  const byHour = new Map<number, number[]>();
  for (const p of series) {
    const h = Math.floor((p.ts % DAY_MS) / 3_600_000);
    byHour.set(h, [...(byHour.get(h) ?? []), p.value - overall]);
  }
  return (ts) => {
    const v = byHour.get(Math.floor((((ts % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000));
    return v ? mean(v) : 0;
  };
}

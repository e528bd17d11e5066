/**
 * Preloaded into one process (`--import` this file, `OI_CLOCK_SKEW_FILE` set): its wall clock
 * (`Date.now()`, `new Date()`) runs ahead by the milliseconds written in that file, re-read every
 * 100 ms, so a test can step one process's clock while it runs and the machine's stays put.
 * Timers and `performance.now()` keep real time, as after an NTP step.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Path to pass to `--import`. */
export const CLOCK_SKEW_PRELOAD = fileURLToPath(import.meta.url);
export const CLOCK_SKEW_ENV = 'OI_CLOCK_SKEW_FILE';

/** Steps the clock of every process started with this file by `offsetMs` (relative to real time). */
export function setClockSkew(file: string, offsetMs: number): void {
  writeFileSync(file, `${Math.round(offsetMs)}\n`);
}

function install(file: string): void {
  const RealDate = Date;
  let offsetMs = 0;
  const read = (): void => {
    try {
      const v = Number(readFileSync(file, 'utf8').trim());
      offsetMs = Number.isFinite(v) ? v : 0;
    } catch {
      offsetMs = 0; // no file: no skew
    }
  };
  read();
  setInterval(read, 100).unref();
  class SkewedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offsetMs);
      else super(...(args as [string | number | Date]));
    }
    static override now(): number {
      return RealDate.now() + offsetMs;
    }
  }
  globalThis.Date = SkewedDate as DateConstructor;
}

const target = process.env[CLOCK_SKEW_ENV];
if (target) install(target);

import { createLogger, type Logger } from '../config/index.js';

/** A warn-level host logger that reports each `partition lost` with its reason and drops the rest. */
export function lossLogger(onLoss: (partition: number, reason: string) => void): Logger {
  return createLogger('bench-host', {
    level: 'warn',
    destination: {
      write: (line: string) => {
        const e = JSON.parse(line) as { msg?: string; partition?: number; reason?: string };
        if (e.msg === 'partition lost') onLoss(e.partition ?? -1, e.reason ?? 'unknown');
      },
    },
  });
}

import type { ErrorLogParams, Logger as ClientLogger, LogParams, WarnLogParams } from '@clickhouse/client';
import type { Logger } from '../../config/index.js';

/** A logger class for `@clickhouse/client` that writes to our pino logger (its default prints to the console). */
export function clientLoggerClass(logger: Logger): new () => ClientLogger {
  return class PinoClickHouseLogger implements ClientLogger {
    trace(p: LogParams): void {
      logger.trace({ module: p.module, ...p.args }, p.message);
    }
    debug(p: LogParams): void {
      logger.debug({ module: p.module, ...p.args }, p.message);
    }
    info(p: LogParams): void {
      logger.info({ module: p.module, ...p.args }, p.message);
    }
    warn(p: WarnLogParams): void {
      logger.warn({ module: p.module, err: p.err, ...p.args }, p.message);
    }
    error(p: ErrorLogParams): void {
      logger.error({ module: p.module, err: p.err, ...p.args }, p.message);
    }
  };
}

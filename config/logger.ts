import { pino, type DestinationStream, type Logger } from 'pino';
import { scrubSecrets } from './secrets.js';

export type { Logger } from 'pino';

/** Paths whose values never reach a log line (secrets, credentials, tier-3 content). */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'api_key',
  '*.api_key',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'url_with_credentials',
  'pass',
  '*.pass',
  'seed',
  '*.seed',
  'llmApiKey',
  '*.llmApiKey',
  'tier3Key',
  '*.tier3Key',
  'natsPass',
  '*.natsPass',
];

/** A pino logger; tests pass a destination stream to assert on fields instead of printing. */
export function createLogger(name: string, opts: { level?: string; destination?: DestinationStream } = {}): Logger {
  const level = opts.level ?? process.env.OI_LOG_LEVEL ?? 'info';
  const options = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // paths catch named fields; the value scrubber catches secrets inside free text (error messages)
    hooks: { streamWrite: scrubSecrets },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options, pino.destination(2));
}

/** A logger that drops everything: the default for library code when the caller gives none. */
export const silentLogger: Logger = pino({ level: 'silent' });

/** Strips the password from a connection URL before it is logged or shown. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return url;
  }
}

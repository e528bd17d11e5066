import { OiError } from './oi-error.js';

/**
 * Largest payload per subject class, bytes. nats-server's `max_payload` is one global cap
 * (1 MiB by default); these are tighter, per class, checked on publish and on receive.
 */
export const PAYLOAD_LIMITS_BYTES = {
  'oi.v1.tel': 128 * 1024,
  'oi.v1.act': 64 * 1024,
  'oi.v1.rec': 256 * 1024,
  'oi.v1.dec': 256 * 1024,
  'oi.v1.evt': 256 * 1024,
  cmd: 256 * 1024,
  // a dead letter carries the failed payload in base64 (4/3 of the largest class) plus its reasons
  'oi.v1.dlq': 768 * 1024,
} as const;

export const DEFAULT_PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** The class a subject belongs to (`oi.v1.tel`, `cmd`, …), for limits and their messages. */
export function payloadClass(subject: string): keyof typeof PAYLOAD_LIMITS_BYTES | undefined {
  if (/^(oi\.as\.[^.]+\.)?oi\.v\d+\.cmd\./.test(subject)) return 'cmd';
  const head = subject.split('.', 3).join('.');
  return head in PAYLOAD_LIMITS_BYTES ? (head as keyof typeof PAYLOAD_LIMITS_BYTES) : undefined;
}

export function maxPayloadFor(subject: string): number {
  const c = payloadClass(subject);
  return c ? PAYLOAD_LIMITS_BYTES[c] : DEFAULT_PAYLOAD_LIMIT_BYTES;
}

/** An `OI_PAYLOAD_TOO_LARGE` error when `bytes` exceeds the limit of `subject`'s class. */
export function payloadTooLarge(subject: string, bytes: number): OiError | undefined {
  const limit = maxPayloadFor(subject);
  if (bytes <= limit) return undefined;
  const cls = payloadClass(subject) ?? 'other subjects';
  return new OiError(
    'OI_PAYLOAD_TOO_LARGE',
    `payload on ${subject} is ${bytes} bytes; the limit for ${cls} is ${limit} bytes`,
    [{ path: '(root)', rule: 'max_size', message: `at most ${limit} bytes on ${cls}` }],
    'send less: split the message or drop optional detail'
  );
}

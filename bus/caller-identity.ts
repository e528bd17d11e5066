import type { NatsConnection } from '@nats-io/nats-core';

/**
 * Authenticated callers. Headers prove nothing (any client sets `Oi-Caller`), so with
 * authorization on, an operator may publish commands only under its own user name,
 * `oi.as.<user>.oi.v1.cmd.<domain>.<verb>` (nats-server enforces the publish permission), and
 * the command service reads the caller from that token. Replies go to a per-user inbox
 * prefix so no client can subscribe to another's replies or pull deliveries.
 */
export const SCOPED_COMMAND_ROOT = 'oi.as';

/** `oi.as.<user>.`: the prefix of commands sent as `user`. */
export function scopedCommandPrefix(user: string): string {
  return `${SCOPED_COMMAND_ROOT}.${user}.`;
}

/** The subject a command to `subject` takes when sent by the authenticated `user`. */
export function scopedCommandSubject(user: string, subject: string): string {
  return `${scopedCommandPrefix(user)}${subject}`;
}

/** Splits `oi.as.<user>.<subject>`; undefined for a plain subject. */
export function parseScopedSubject(subject: string): { user: string; subject: string } | undefined {
  if (!subject.startsWith(`${SCOPED_COMMAND_ROOT}.`)) return undefined;
  const rest = subject.slice(SCOPED_COMMAND_ROOT.length + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0) return undefined;
  return { user: rest.slice(0, dot), subject: rest.slice(dot + 1) };
}

/** Inbox prefix of a user's connection: `_INBOX_<user>` (its subscribe permission is `_INBOX_<user>.>`). */
export function inboxPrefixFor(user: string): string {
  return `_INBOX_${user}`;
}

const users = new WeakMap<NatsConnection, string>();

/** Remembers which user a connection authenticated as, so requests route to its scoped subject. */
export function rememberConnectionUser(nc: NatsConnection, user: string): void {
  users.set(nc, user);
}

export function connectionUser(nc: NatsConnection): string | undefined {
  return users.get(nc);
}

const COMMAND_SUBJECT = /^oi\.v\d+\.cmd\./;

/** Where a request from this connection goes: the scoped subject when it authenticated as a user. */
export function commandSubjectFor(nc: NatsConnection, subject: string): string {
  const user = users.get(nc);
  return user && COMMAND_SUBJECT.test(subject) ? scopedCommandSubject(user, subject) : subject;
}

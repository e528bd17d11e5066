import { describe, expect, it } from 'vitest';
import { maxPayloadFor, payloadClass, payloadTooLarge, PAYLOAD_LIMITS_BYTES } from './payload-limits.js';
import { parseScopedSubject, scopedCommandSubject } from './caller-identity.js';

describe('bus payload limits per subject class', () => {
  it('classes published, stored and caller-scoped subjects', () => {
    expect(payloadClass('oi.v1.tel.gpu.wl.n1')).toBe('oi.v1.tel');
    expect(payloadClass('oi.v1.tel.3.gpu.wl.n1')).toBe('oi.v1.tel');
    expect(payloadClass('oi.v1.act.n1.engine.restart')).toBe('oi.v1.act');
    expect(payloadClass('oi.v2.cmd.workload.register')).toBe('cmd');
    expect(payloadClass('oi.as.op-alice.oi.v1.cmd.workload.get')).toBe('cmd');
    expect(payloadClass('oi.fuzz.1.m2')).toBeUndefined();
  });

  it('answers OI_PAYLOAD_TOO_LARGE naming subject, size and limit just above the limit', () => {
    const limit = PAYLOAD_LIMITS_BYTES['oi.v1.tel'];
    expect(maxPayloadFor('oi.v1.tel.gpu.wl.n1')).toBe(128 * 1024);
    expect(payloadTooLarge('oi.v1.tel.gpu.wl.n1', limit)).toBeUndefined();
    const err = payloadTooLarge('oi.v1.tel.gpu.wl.n1', limit + 1)!;
    expect(err.code).toBe('OI_PAYLOAD_TOO_LARGE');
    expect(err.summary).toBe(
      `payload on oi.v1.tel.gpu.wl.n1 is ${limit + 1} bytes; the limit for oi.v1.tel is ${limit} bytes`
    );
    expect(err.issues[0]).toMatchObject({ path: '(root)', rule: 'max_size' });
  });
});

describe('bus caller-scoped command subjects', () => {
  it('round-trips the user and the plain subject', () => {
    const s = scopedCommandSubject('op-alice', 'oi.v1.cmd.decision.approve');
    expect(s).toBe('oi.as.op-alice.oi.v1.cmd.decision.approve');
    expect(parseScopedSubject(s)).toEqual({ user: 'op-alice', subject: 'oi.v1.cmd.decision.approve' });
    expect(parseScopedSubject('oi.v1.cmd.decision.approve')).toBeUndefined();
  });
});

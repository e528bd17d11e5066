import { describe, expect, it } from 'vitest';
import { permissionsFor, principal, ROLES } from './roles.js';
import { natsAuthConfig } from './server-config.js';

describe('security role permissions', () => {
  it('templates an edge on its node: its telemetry, its action queue, nothing of another node', () => {
    const p = permissionsFor(principal('edge', { node: 'gpu-7' }));
    expect(p.publish).toContain('oi.v1.tel.*.*.gpu-7');
    expect(p.publish).toContain('$JS.API.CONSUMER.MSG.NEXT.OI_ACT.oi-act-gpu-7');
    expect(p.publish).toContain('$JS.API.CONSUMER.CREATE.OI_ACT.oi-act-gpu-7.oi.v1.act.gpu-7.>');
    expect(p.subscribe).toContain('_INBOX_edge-gpu-7.>');
    const all = [...p.publish, ...p.subscribe].join(' ');
    // wildcards that would reach another node's subjects or any command
    expect(all).not.toMatch(/oi\.v1\.act\.\*|oi\.v1\.tel\.>|oi\.v1\.cmd|oi\.as\.|_INBOX\.>|(^| )>( |$)/);
  });

  it('lets an operator send commands only under its own name and publish no stream subject', () => {
    const p = permissionsFor(principal('operator', { name: 'alice' }));
    expect(p.publish).toContain('oi.as.op-alice.>');
    expect(p.publish.filter((s) => s.startsWith('oi.'))).toEqual(['oi.as.op-alice.>']);
    expect(p.subscribe).toEqual(['oi.v1.evt.>', 'oi.v1.dlq.>', '_INBOX_op-alice.>']);
  });

  it('keeps ingest off telemetry publishing', () => {
    const p = permissionsFor(principal('ingest'));
    expect(p.publish.some((s) => s.startsWith('oi.v1.tel'))).toBe(false);
  });

  it('refuses node and operator names that are not subject tokens', () => {
    expect(() => principal('edge', { node: 'a.b' })).toThrow('node "a.b" must be 1-48 letters, digits, _ or -');
    expect(() => principal('edge', { node: '*' })).toThrow(/must be 1-48/);
    expect(() => principal('operator')).toThrow('a name is required for this role');
  });

  it('writes one user per principal with its lists, and refuses a duplicate', () => {
    const users = ROLES.filter((r) => r !== 'edge' && r !== 'operator').map((r) => ({
      user: r,
      password: `pw-${r}`,
      permissions: permissionsFor(principal(r)),
    }));
    const conf = natsAuthConfig(users, {
      tls: { certFile: '/c.pem', keyFile: '/k.pem', caFile: '/ca.pem', verify: true },
    });
    expect(conf.match(/\{ user: /g)).toHaveLength(users.length);
    expect(conf).toContain('{ user: "host", password: "pw-host", permissions: {');
    expect(conf).toContain('  verify: true');
    expect(conf).not.toContain('no_auth_user');
    expect(() => natsAuthConfig([users[0]!, users[0]!])).toThrow('user supervisor appears twice');
  });
});

import { describe, expect, it } from 'vitest';
import { inWindow, maintenanceBlock, type MaintenanceWindowSpec } from './maintenance-window.js';

const at = (iso: string) => Date.parse(iso);

describe('guardrails maintenance windows', () => {
  const weekend: MaintenanceWindowSpec = { kind: 'weekly', days: [6], start: '22:00', duration_min: 240 };

  it.each([
    ['2026-11-28T21:59:59Z', false], // Saturday, before the slot
    ['2026-11-28T22:00:00Z', true],
    ['2026-11-29T01:59:59Z', true], // Sunday, the Saturday slot crosses midnight
    ['2026-11-29T02:00:00Z', false],
    ['2026-11-29T22:30:00Z', false], // Sunday is not a slot day
  ])('weekly Saturday 22:00 + 4 h at %s → %s', (iso, inside) => {
    expect(inWindow(weekend, at(iso))).toBe(inside);
  });

  it('treats a range as [start, end)', () => {
    const r: MaintenanceWindowSpec = { kind: 'range', start: '2026-12-01T00:00:00Z', end: '2026-12-01T06:00:00Z' };
    expect(inWindow(r, at('2026-12-01T00:00:00Z'))).toBe(true);
    expect(inWindow(r, at('2026-12-01T06:00:00Z'))).toBe(false);
  });

  it('blocks outside an inside-only policy and inside a freeze', () => {
    expect(maintenanceBlock({ policy: 'inside', windows: [weekend] }, at('2026-11-24T12:00:00Z'))).toMatch(
      /outside every/
    );
    expect(maintenanceBlock({ policy: 'inside', windows: [weekend] }, at('2026-11-28T23:00:00Z'))).toBeUndefined();
    expect(maintenanceBlock({ policy: 'outside', windows: [weekend] }, at('2026-11-28T23:00:00Z'))).toMatch(
      /change freeze/
    );
  });
});

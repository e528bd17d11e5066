import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startTsProcess } from '../../testkit/index.js';
import { runChaos } from './run-chaos.js';

// The full run is `npm run chaos -- --seconds 60`; this is its short version.
describe('chaos (short): random SIGKILL, SIGSTOP/SIGCONT, SIGTERM of hosts and the supervisor leader', () => {
  it('loses nothing, applies nothing twice, accepts no stale epoch, never shows two holders', async () => {
    const lines: string[] = [];
    const r = await runChaos({ seconds: 20, seed: 20261124, rate: 80, progress: (l) => lines.push(l) });
    expect(r.checkerOutput, lines.join('\n')).toMatch(/OK: no message lost/);
    expect(r.checkerExit).toBe(0);
    const checked = /checked: (\d+) acknowledged messages, (\d+) applied effects/.exec(r.checkerOutput);
    expect(Number(checked?.[1])).toBeGreaterThan(500);
    expect(Number(checked?.[2])).toBeGreaterThanOrEqual(Number(checked?.[1]));
    expect(r.actions.filter((a) => /SIGKILL|SIGSTOP|SIGTERM/.test(a)).length).toBeGreaterThanOrEqual(4);
  }, 240_000);

  it('the checker process fails on planted violations and names each one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oi-chaos-planted-'));
    const lines = (xs: unknown[]): string => xs.map((x) => JSON.stringify(x)).join('\n') + '\n';
    writeFileSync(
      join(dir, 'publisher.jsonl'),
      lines([
        { id: 'm1', w: 'wl-a' },
        { id: 'm2', w: 'wl-a' },
      ])
    );
    writeFileSync(
      join(dir, 'leases.jsonl'),
      lines([
        { rev: 1, key: '', op: 'start' },
        { rev: 2, key: 'part.0', op: 'put', holder: 'h1', epoch: 1, deadline: 2_000, acquiredAt: 1_000 },
        { rev: 3, key: 'part.0', op: 'put', holder: 'h2', epoch: 2, deadline: 4_000, acquiredAt: 2_500 },
      ])
    );
    writeFileSync(
      join(dir, 'receiver.jsonl'),
      lines([
        { k: 'fence', seq: 1, p: 0, e: 1, holder: 'h1' },
        { k: 'apply', seq: 2, id: 'm1.probe.0', p: 0, e: 1, src: 'h1', msg: 'm1', w: 'wl-a', count: 1 },
        { k: 'fence', seq: 3, p: 0, e: 2, holder: 'h2' },
        { k: 'apply', seq: 4, id: 'm1.probe.0', p: 0, e: 1, src: 'h1', msg: 'm1', w: 'wl-a', count: 1 },
      ])
    );
    const checker = startTsProcess(
      'checker',
      fileURLToPath(new URL('./checker.ts', import.meta.url)),
      ['--dir', dir],
      {}
    );
    expect(await checker.exited).toBe(1);
    const out = checker.getLog();
    expect(out).toMatch(/VIOLATION double-apply: effect m1\.probe\.0 applied 2 times/);
    expect(out).toMatch(
      /VIOLATION stale-accepted: effect m1\.probe\.0 at seq 4 applied under epoch 1 of partition 0, mark 2/
    );
    expect(out).toMatch(/VIOLATION lost: message m2/);
    expect(out).toMatch(/FAILED: /);
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EdgeStateFile, emptyEdgeState } from './edge-state.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'oi-edge-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('gpu-edge edge-state', () => {
  it('starts empty and round-trips marks, done decisions and the last good config', async () => {
    const file = new EdgeStateFile(join(dir, 'sub', 'n1.json'));
    expect(await file.load()).toEqual(emptyEdgeState());
    const state = {
      ...emptyEdgeState(),
      epochs: { v: 1 as const, highest: { '3': 7 } },
      done: [
        {
          decision_id: 'dec-00000001',
          action_id: 'act-00000001',
          verb: 'engine.restart',
          status: 'succeeded' as const,
          detail: 'ok',
          at: '2026-11-24T12:00:00.000Z',
        },
      ],
      lastGood: { v: 1 as const, model: 'llama-3.1-8b', maxNumSeqs: 128 },
    };
    await Promise.all([file.save(emptyEdgeState()), file.save(state)]);
    expect(await file.load()).toEqual(state);
  });

  it('refuses a corrupt file naming the field, rather than forgetting its fencing marks', async () => {
    const path = join(dir, 'n1.json');
    await writeFile(path, JSON.stringify({ v: 1, epochs: { v: 1, highest: { '3': -1 } }, done: [] }));
    await expect(new EdgeStateFile(path).load()).rejects.toThrow(/n1\.json: epochs\.highest\.3: .*\(too_small\)/);
    expect(JSON.parse(await readFile(path, 'utf8'))).toMatchObject({ v: 1 });
  });
});

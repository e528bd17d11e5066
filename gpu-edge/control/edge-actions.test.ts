import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../config/index.js';
import type { ActionRequest } from '../../schemas/index.js';
import type { EngineAdapter } from '../engine/engine-adapter.js';
import { EdgeActions, changesOf, type ActionOutcome } from './edge-actions.js';
import { EdgeStateFile } from './edge-state.js';
import { EngineController } from './engine-controller.js';

describe('gpu-edge edge-actions changesOf', () => {
  it('takes flag changes as they are, or from a decision action spec', () => {
    expect(changesOf({ changes: { 'max-num-seqs': 128 } })).toEqual({ 'max-num-seqs': 128 });
    expect(changesOf({ action: { kind: 'set_context_limit', max_model_len: 16384 } })).toEqual({
      'max-model-len': 16384,
    });
    expect(changesOf({ action: { kind: 'enable_kv_offload', cpu_gib: 64 } })).toEqual({ 'kv-offloading-size': 64 });
  });

  it('names the field and the rule of bad params', () => {
    expect(() => changesOf({ changes: {} })).toThrow('params.changes: at least one flag must change');
    expect(() => changesOf({ action: { kind: 'scale_replicas', from: 1, to: 2 } })).toThrow(
      'params.action.kind: scale_replicas is not an engine change (engine_config or context_limits)'
    );
    expect(() => changesOf({ changes: { '--max-num-seqs': 1 } })).toThrow(/^params\./);
  });
});

describe('gpu-edge EdgeActions refusals (no engine touched)', () => {
  const adapter: EngineAdapter = {
    kind: 'sim',
    url: 'http://127.0.0.1:1',
    fits: () => ({ checked: false, reason: 'test' }),
    commandLine: () => ['serve'],
    launch: () => {
      throw new Error('the engine must not be touched');
    },
  };
  const req = (o: Partial<ActionRequest> = {}): ActionRequest => ({
    action_id: 'act-00000001',
    decision_id: 'dec-00000001',
    node: 'n1',
    workload: 'wl-1',
    verb: 'engine.status',
    params: {},
    epoch: 2,
    deadline: '2026-11-24T12:05:00.000Z',
    ...o,
  });
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'oi-edge-actions-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const make = async (): Promise<{ actions: EdgeActions; file: EdgeStateFile }> => {
    const file = new EdgeStateFile(join(dir, 'n1.json'));
    const controller = new EngineController({
      adapter,
      config: { v: 1, model: 'llama-3.1-8b' },
      identity: { node: 'n1', workload: 'wl-1' },
      logger: silentLogger,
    });
    const actions = new EdgeActions({
      node: 'n1',
      workload: 'wl-1',
      partitions: 4,
      controller,
      stateFile: file,
      state: await file.load(),
      clock: () => new Date('2026-11-24T12:00:00.000Z'),
    });
    return { actions, file };
  };
  const detail = (o: ActionOutcome): string => (o.kind === 'duplicate' ? 'duplicate' : o.result.detail);

  it('refuses another node, another workload, a passed deadline, stray params and unknown verbs', async () => {
    const { actions } = await make();
    expect(detail(await actions.handle(req({ node: 'n2' })))).toBe('refused: addressed to node n2, this is n1');
    expect(detail(await actions.handle(req({ workload: 'wl-2' })))).toBe(
      'refused: workload wl-2; this edge serves wl-1'
    );
    expect(detail(await actions.handle(req({ deadline: '2026-11-24T11:59:59.000Z' })))).toBe(
      'refused: deadline 2026-11-24T11:59:59.000Z has passed'
    );
    expect(detail(await actions.handle(req({ decision_id: 'dec-00000002', params: { force: true } })))).toBe(
      'refused: params: engine.status takes none, got force'
    );
    expect(detail(await actions.handle(req({ decision_id: 'dec-00000003', verb: 'engine.launch' })))).toMatch(
      /^refused: unknown verb engine.launch; known: engine.reconfigure, engine.restart/
    );
  });

  it('persists the epoch mark and done decisions, so a new instance refuses and deduplicates', async () => {
    const first = await make();
    const ok = await first.actions.handle(req({ epoch: 7 }));
    expect(ok.kind === 'done' && ok.result.status).toBe('succeeded');
    const second = await make();
    expect(detail(await second.actions.handle(req({ decision_id: 'dec-00000009', epoch: 6 })))).toMatch(
      /^refused: stale epoch 6 for partition \d+: highest seen is 7$/
    );
    expect((await second.actions.handle(req({ epoch: 7 }))).kind).toBe('duplicate');
  });
});

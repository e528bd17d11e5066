import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import { epochGuardSnapshotV1, type EpochGuardSnapshot } from '../../supervisor/index.js';
import { engineConfigV1 } from '../engine/engine-config.js';

/** An action the edge finished, remembered so a redelivered or re-sent decision runs once. */
export const doneActionV1 = z.object({
  decision_id: z.string().min(1),
  action_id: z.string().min(1),
  verb: z.string().min(1),
  status: z.enum(['succeeded', 'failed', 'rolled_back']),
  detail: z.string(),
  at: z.string(),
});
export type DoneAction = z.infer<typeof doneActionV1>;

/** What the edge keeps on local disk across restarts: fencing marks, finished decisions, last good config. */
export const edgeStateV1 = z.object({
  v: z.literal(1),
  epochs: epochGuardSnapshotV1,
  done: z.array(doneActionV1),
  lastGood: engineConfigV1.optional(),
});
export type EdgeState = z.infer<typeof edgeStateV1>;

/** Finished decisions remembered; older ones fall off (the supervisor never re-sends that far back). */
export const DONE_CAP = 10_000;

export function emptyEdgeState(): EdgeState {
  const epochs: EpochGuardSnapshot = { v: 1, highest: {} };
  return { v: 1, epochs, done: [] };
}

/** A small JSON state file, replaced atomically (write to a temp file, then rename). */
export class EdgeStateFile {
  #queue: Promise<void> = Promise.resolve();

  constructor(readonly path: string) {}

  async load(): Promise<EdgeState> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return emptyEdgeState();
      throw err;
    }
    const parsed = edgeStateV1.safeParse(JSON.parse(text));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`edge state ${this.path}: ${issue.path.join('.') || '(root)'}: ${issue.message} (${issue.code})`);
    }
    return parsed.data;
  }

  /** Saves in call order; a later save never lands before an earlier one. */
  save(state: EdgeState): Promise<void> {
    const body = JSON.stringify({ ...state, done: state.done.slice(-DONE_CAP) });
    const next = this.#queue.then(async () => {
      await mkdir(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.${process.pid}.tmp`;
      await writeFile(tmp, body);
      await rename(tmp, this.path);
    });
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

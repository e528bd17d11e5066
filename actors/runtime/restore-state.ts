import { actorId, type AnyActorLogic } from './actor-logic.js';
import { SnapshotVersionError } from './errors.js';
import type { Snapshot } from './snapshot-store.js';

/**
 * The state an actor starts from: its snapshot, upcast when older than the logic, or
 * `initial(key)` when it has none. A newer snapshot, or an older one the logic cannot
 * upcast, is refused rather than read as the wrong shape.
 */
export function restoreState<E>(logic: AnyActorLogic<E>, key: string, snapshot: Snapshot | undefined): unknown {
  if (!snapshot) return logic.initial(key);
  if (snapshot.v === logic.version) return snapshot.state;
  if (snapshot.v > logic.version || !logic.upcast) {
    throw new SnapshotVersionError(actorId(logic.kind, key), snapshot.v, logic.version);
  }
  return logic.upcast(snapshot.v, snapshot.state);
}

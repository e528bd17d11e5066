/**
 * The in-process actor runtime (DESIGN.md "Actors and placement"), free of any transport:
 * the host pulls a partition's messages from NATS and hands each to `ActorSystem.deliver`.
 *
 * - An actor is `(kind, key)` running a pure `ActorLogic`: `receive(state, msg, ctx)` →
 *   `{ state, effects }`. The system runs one turn at a time per actor, actors concurrently.
 * - State lives in a fenced `SnapshotStore` (memory or PostgreSQL `actor_snapshots`) with the
 *   logic's version (`upcast` reads older ones) and `lastSeq`, so a redelivered message is
 *   skipped instead of applied twice.
 * - A throwing `receive` restarts the actor from its snapshot with backoff; too many restarts
 *   within the period stop it (`ActorStoppedError`), and deliveries to it are refused for a while.
 * - Time for backoff and idleness comes from an injected `Clock` (`ManualClock` in tests);
 *   actors themselves see only event time.
 *
 * ```ts
 * const system = new ActorSystem({ logics: [costLogic], store: new PostgresSnapshotStore(db) });
 * const results = await Promise.allSettled(batch.map((m) => system.deliver(m, lease.epoch)));
 * const { fenced } = await system.flush(); // then ack, unless something was fenced
 * ```
 */
export * from './actor-logic.js';
export * from './snapshot-store.js';
export { MemorySnapshotStore } from './memory-snapshot-store.js';
export { PostgresSnapshotStore } from './postgres-snapshot-store.js';
export { ActorSystem, type ActorSystemOptions, type ActorSystemStats } from './actor-system.js';
export { ManualClock, systemClock, type Clock, type TimerHandle } from './clock.js';
export type { SupervisionOptions, SupervisionReport } from './supervision.js';
export {
  ActorStoppedError,
  DeliveryRefusedError,
  RefusalReason,
  SnapshotVersionError,
  UnknownActorKindError,
  isActorStopped,
  isDeliveryRefused,
} from './errors.js';

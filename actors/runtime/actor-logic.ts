/** What `receive` knows about the turn besides the message. */
export interface ActorContext {
  kind: string;
  key: string;
  /** Event time of the message, ms (DESIGN.md "Time"): never the wall clock. */
  now: number;
  /** Fencing epoch of the partition lease this turn runs under; stamp it on every effect. */
  epoch: number;
  partition: number;
  /** Stream sequence of the message: lets an actor with external state (a checkpointed graph) spot a redelivery. */
  seq: number;
}

export interface ActorTurn<S, E> {
  state: S;
  effects: E[];
}

/**
 * The pure part of an actor: no I/O, no clock, no randomness. The runtime persists `S` as
 * JSON, so it must survive `JSON.stringify` (no Map, Date, undefined-valued keys).
 * `receive` must return a new state rather than mutate the one it was given: a throw is
 * retried from the previous state.
 */
export interface ActorLogic<S, M, E> {
  kind: string;
  /** Snapshot schema version; bump when S changes shape. */
  version: number;
  initial(key: string): S;
  /**
   * A promise is allowed for actors whose turn needs I/O that is itself idempotent per message
   * (an agent's checkpointed graph): the turn still runs alone for its actor.
   */
  receive(state: S, msg: M, ctx: ActorContext): ActorTurn<S, E> | Promise<ActorTurn<S, E>>;
  /** Upcasts an older persisted snapshot (v < version) to the current S; absent ⇒ older snapshots are refused. */
  upcast?(v: number, state: unknown): S;
}

/** Any logic producing effects `E`; what `ActorSystem` takes (methods are bivariant in their parameters). */
export type AnyActorLogic<E> = ActorLogic<unknown, unknown, E>;

/** One message as the host hands it to the system. */
export interface Delivery<M> {
  /** Message id (the envelope id). */
  id: string;
  /** Stream sequence, increasing within a partition; redeliveries keep theirs. */
  seq: number;
  partition: number;
  /** Event time, ms. */
  ts: number;
  kind: string;
  key: string;
  msg: M;
}

export interface DeliveryResult<E> {
  effects: E[];
  /** True when the actor had already applied this sequence (a redelivery): no effects. */
  skipped: boolean;
  /** `${kind}:${key}` */
  actor: string;
}

/** The actor's id, `kind:key`: also its LangGraph thread id (DESIGN.md "Actors and placement"). */
export function actorId(kind: string, key: string): string {
  return `${kind}:${key}`;
}

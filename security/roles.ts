import { KV_BUCKETS, STREAMS, TOKEN_PATTERN } from '../schemas/index.js';
import { inboxPrefixFor, scopedCommandPrefix } from '../bus/index.js';

/**
 * Who may publish and subscribe to what, per role, as data (DESIGN.md "Subjects"). The lists
 * come from what each process does (subjects, durables, KV buckets it opens); a process that
 * needs more shows up as a `Permissions Violation` in the nats-server log, which the
 * authorization tests read.
 */
export const ROLES = [
  'supervisor',
  'host',
  'ingest',
  'notify',
  'executor',
  'edge',
  'sim',
  'operator',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  role: Role;
  /** NATS user name: the role for the shared service roles, `edge-<node>` and `op-<name>` otherwise. */
  user: string;
  /** Edge only: the GPU node whose subjects it owns. */
  node?: string;
}

export interface Permissions {
  publish: string[];
  subscribe: string[];
  /** Responders may answer on the reply subject of a request they received (services). */
  allowResponses: boolean;
}

/** Builds the principal of a role; edges need `node`, operators a `name`. */
export function principal(role: Role, opts: { node?: string; name?: string } = {}): Principal {
  if (role === 'edge') {
    const node = requireToken('node', opts.node);
    return { role, user: `edge-${node}`, node };
  }
  if (role === 'operator') return { role, user: `op-${requireToken('name', opts.name)}` };
  return { role, user: role };
}

function requireToken(kind: string, value: string | undefined): string {
  if (!value) throw new Error(`a ${kind} is required for this role`);
  // the user name is a subject token of the inbox prefix and of `oi.as.<user>.…`
  if (!TOKEN_PATTERN.test(value) || value.length > 48) {
    throw new Error(`${kind} "${value}" must be 1-48 letters, digits, _ or - (it becomes a subject token)`);
  }
  return value;
}

const API = '$JS.API';

/** A durable pull consumer a role reads: info, next, acks (and create/delete where it provisions it). */
function pullConsumer(stream: string, durable: string, manage: boolean): string[] {
  const read = [
    `${API}.STREAM.INFO.${stream}`,
    `${API}.CONSUMER.INFO.${stream}.${durable}`,
    `${API}.CONSUMER.MSG.NEXT.${stream}.${durable}`,
    `$JS.ACK.${stream}.${durable}.>`,
  ];
  if (!manage) return read;
  return [
    ...read,
    `${API}.CONSUMER.CREATE.${stream}.${durable}`,
    `${API}.CONSUMER.CREATE.${stream}.${durable}.>`,
    `${API}.CONSUMER.DURABLE.CREATE.${stream}.${durable}`,
    `${API}.CONSUMER.DELETE.${stream}.${durable}`,
  ];
}

/** Any consumer of a stream (hosts and ingest rewind and recreate partition consumers). */
function anyConsumer(stream: string): string[] {
  return [
    `${API}.STREAM.INFO.${stream}`,
    `${API}.CONSUMER.*.${stream}.*`,
    `${API}.CONSUMER.MSG.NEXT.${stream}.*`,
    `${API}.CONSUMER.CREATE.${stream}.*.>`,
    `${API}.CONSUMER.DURABLE.CREATE.${stream}.*`,
    `$JS.ACK.${stream}.>`,
  ];
}

/** Read access to a KV bucket (get, keys, watch through an ordered consumer). */
function kvRead(bucket: string): string[] {
  const s = `KV_${bucket}`;
  return [
    `${API}.STREAM.INFO.${s}`,
    `${API}.STREAM.MSG.GET.${s}`,
    `${API}.DIRECT.GET.${s}`,
    `${API}.DIRECT.GET.${s}.>`,
    `${API}.CONSUMER.CREATE.${s}`,
    `${API}.CONSUMER.CREATE.${s}.>`,
    `${API}.CONSUMER.DELETE.${s}.>`,
    `${API}.CONSUMER.INFO.${s}.>`,
    `$JS.FC.${s}.>`,
  ];
}

function kvWrite(bucket: string): string[] {
  return [...kvRead(bucket), `$KV.${bucket}.>`];
}

/** Serving a micro service: discovery and the endpoints' subjects; answers go back as responses. */
const SERVICE_SUBSCRIBE = ['$SRV.>'];

/** Commands of a service on their plain subject and on the caller-scoped one (`oi.as.<user>.…`). */
function commandEndpoints(pattern: string): string[] {
  return [pattern, `${scopedCommandPrefix('*')}${pattern}`];
}

/** Requests a process sends to services, on the plain subject and on its caller-scoped one. */
function commandRequests(user: string, subjectsOf: string[]): string[] {
  return subjectsOf.flatMap((x) => [x, `${scopedCommandPrefix(user)}${x}`]);
}

/** The permissions of one principal. */
export function permissionsFor(p: Principal): Permissions {
  const inbox = `${inboxPrefixFor(p.user)}.>`;
  const tel = STREAMS.tel;
  switch (p.role) {
    case 'admin':
      return { publish: ['>'], subscribe: ['>'], allowResponses: true };
    case 'supervisor':
      // the trust root: provisions streams and KV, serves most commands, writes decisions
      return {
        publish: ['oi.>', `${API}.>`, '$JS.ACK.>', '$JS.FC.>', '$KV.>', '$SRV.>'],
        subscribe: ['oi.>', ...SERVICE_SUBSCRIBE, inbox],
        allowResponses: true,
      };
    case 'host':
      return {
        publish: [
          'oi.v1.rec.>',
          'oi.v1.evt.>',
          `oi.v1.dlq.${tel}`,
          'oi.v1.clock.ack',
          ...anyConsumer(tel),
          // a refused sensitive message is erased from OI_TEL once dead-lettered
          `${API}.STREAM.MSG.DELETE.${tel}`,
          ...kvWrite(KV_BUCKETS.leases),
          ...kvWrite(KV_BUCKETS.health),
          ...kvRead(KV_BUCKETS.config),
          // the agents read workload specs and prices
          ...commandRequests(p.user, ['oi.v1.cmd.workload.get', 'oi.v1.cmd.cloud.list-instance-types']),
        ],
        subscribe: ['oi.v1.clock.tick', 'oi.v1.host.*.stats', ...SERVICE_SUBSCRIBE, inbox],
        allowResponses: true,
      };
    case 'ingest':
      // read-only on telemetry: consumes every stream it stores, publishes no telemetry
      return {
        publish: [
          'oi.v1.dlq.*',
          ...[tel, STREAMS.rec, STREAMS.dec, STREAMS.evt, STREAMS.dlq].flatMap(anyConsumer),
          `${API}.STREAM.MSG.DELETE.${tel}`,
          // lag: the newest message of each stream it stores
          ...[tel, STREAMS.rec, STREAMS.dec, STREAMS.evt, STREAMS.dlq].map((x) => `${API}.STREAM.MSG.GET.${x}`),
          // placement samples for the System dashboard ask the hosts what they hold
          '$SRV.STATS.oi-host',
          ...kvWrite(KV_BUCKETS.leases),
          ...kvRead(KV_BUCKETS.health),
        ],
        subscribe: [...commandEndpoints('oi.v1.cmd.report.*'), 'oi.v1.ingest.*.stats', ...SERVICE_SUBSCRIBE, inbox],
        allowResponses: true,
      };
    case 'notify':
      return {
        publish: [
          'oi.v1.evt.>',
          'oi.v1.dlq.*',
          ...anyConsumer(STREAMS.evt),
          ...anyConsumer(STREAMS.dlq),
          ...kvWrite(KV_BUCKETS.leases),
        ],
        subscribe: [...SERVICE_SUBSCRIBE, inbox],
        allowResponses: true,
      };
    case 'executor':
      // approved decisions in, instance changes through the cloud service, engine changes to the edges
      return {
        publish: [
          ...pullConsumer(STREAMS.dec, 'oi-cloud-executor', true),
          'oi.v1.act.>',
          'oi.v1.evt.executor.*.*',
          `oi.v1.dlq.${STREAMS.dec}`,
          ...commandRequests(p.user, ['oi.v1.cmd.cloud.*']),
        ],
        subscribe: [inbox],
        allowResponses: false,
      };
    case 'edge': {
      // its own telemetry and action queue only; no commands, no other node's subjects
      const node = p.node!;
      const durable = `oi-act-${node}`;
      return {
        publish: [
          `oi.v1.tel.*.*.${node}`,
          'oi.v1.evt.edge.*.*',
          `oi.v1.dlq.${STREAMS.act}`,
          ...pullConsumer(STREAMS.act, durable, true).map((s) =>
            // the create subject carries the filter: only its own
            s === `${API}.CONSUMER.CREATE.${STREAMS.act}.${durable}.>`
              ? `${API}.CONSUMER.CREATE.${STREAMS.act}.${durable}.oi.v1.act.${node}.>`
              : s
          ),
        ],
        subscribe: [`oi.v1.edge.${node}.status`, ...SERVICE_SUBSCRIBE, inbox],
        allowResponses: true,
      };
    }
    case 'sim':
      // the simulated fleet publishes every node's telemetry and drives the lockstep clock
      return {
        publish: [
          'oi.v1.tel.>',
          'oi.v1.clock.tick',
          ...anyConsumer(tel),
          ...anyConsumer(STREAMS.rec),
          ...kvRead(KV_BUCKETS.health),
          ...kvRead(KV_BUCKETS.leases),
          // it serves the simulated cloud and every simulated node's action queue
          'oi.v1.evt.cloud.*.*',
          'oi.v1.evt.edge.*.*',
          `oi.v1.dlq.${STREAMS.act}`,
          ...anyConsumer(STREAMS.act),
          `${API}.STREAM.INFO.${STREAMS.evt}`,
          '$SRV.>',
        ],
        subscribe: [
          'oi.v1.clock.ack',
          'oi.v1.rec.probe.>',
          ...commandEndpoints('oi.v1.cmd.cloud.*'),
          ...SERVICE_SUBSCRIBE,
          inbox,
        ],
        allowResponses: true,
      };
    case 'operator':
      // commands only under its own name, so the service learns who sent them from the subject
      return {
        publish: [
          `${scopedCommandPrefix(p.user)}>`,
          '$SRV.>',
          `${API}.INFO`,
          `${API}.STREAM.NAMES`,
          `${API}.STREAM.LIST`,
          `${API}.STREAM.INFO.*`,
          `${API}.CONSUMER.INFO.*.*`,
          `${API}.CONSUMER.NAMES.*`,
          `${API}.CONSUMER.LIST.*`,
          `${API}.STREAM.MSG.GET.${STREAMS.evt}`,
          `${API}.STREAM.MSG.GET.${STREAMS.dlq}`,
          `${API}.DIRECT.GET.${STREAMS.evt}`,
          `${API}.DIRECT.GET.${STREAMS.dlq}`,
          ...[STREAMS.evt, STREAMS.dlq].flatMap((s) => [
            `${API}.CONSUMER.CREATE.${s}.>`,
            `${API}.CONSUMER.DELETE.${s}.>`,
            `${API}.CONSUMER.MSG.NEXT.${s}.>`,
          ]),
          ...Object.values(KV_BUCKETS).flatMap(kvRead),
        ],
        subscribe: ['oi.v1.evt.>', 'oi.v1.dlq.>', inbox],
        allowResponses: false,
      };
  }
}

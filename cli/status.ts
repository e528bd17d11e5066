import { Svcm } from '@nats-io/services';
import { STREAMS, subjects, supervisorStatusV1, type DataOf, type supervisorStateV1 } from '../schemas/index.js';
import { OiError, request } from '../bus/index.js';
import type { Args } from './args.js';
import { cliBus } from './connect.js';

export const STATUS_USAGE = `optiinfra status
  Lists the services answering $SRV.INFO (what \`nats micro ls\` shows), the streams with their
  message counts and consumers, and the supervisor's placement (\`oi.v1.cmd.supervisor.status\`):
  hosts with partitions assigned and held, heartbeat age, actors, restarts; leases with epochs.`;

type State = DataOf<typeof supervisorStateV1>;

/** Formats the supervisor's reply for operators; partitions listed as ranges to stay one line. */
export function formatPlacement(s: State): string[] {
  const lines = [
    `supervisor leader: ${s.leader ? `${s.leader.holder} (epoch ${s.leader.epoch}, for ${s.leader.age_ms} ms)` : 'none'}`,
    `partitions: ${s.partitions}, unassigned: ${s.unassigned.length ? ranges(s.unassigned) : 'none'}`,
    'hosts:',
  ];
  if (!s.hosts.length) lines.push('  none alive (start one: optiinfra serve host)');
  for (const h of s.hosts) {
    const held = s.leases.filter((l) => l.live && l.holder === h.host).map((l) => l.partition);
    lines.push(
      `  ${h.host}: ${h.held}/${h.assigned} held/assigned [${ranges(held)}], heartbeat ${h.heartbeat_age_ms} ms ago, ` +
        `${h.actors} actors, ${h.processed} processed, ${h.restarts} restarts`
    );
  }
  const stale = s.leases.filter((l) => !l.live && l.holder);
  const epochs = s.leases.map((l) => l.epoch);
  if (epochs.length) {
    lines.push(
      `leases: ${s.leases.filter((l) => l.live).length} live, ${stale.length} expired; ` +
        `epochs ${Math.min(...epochs)}..${Math.max(...epochs)}, oldest renewal ${Math.max(...s.leases.map((l) => l.age_ms))} ms`
    );
  }
  for (const l of stale) lines.push(`  partition ${l.partition}: expired lease of ${l.holder} at epoch ${l.epoch}`);
  return lines;
}

function ranges(ps: number[]): string {
  const out: string[] = [];
  const sorted = [...ps].sort((a, b) => a - b);
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    out.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return out.join(',');
}

export async function runStatus(_args: Args): Promise<number> {
  const bus = await cliBus('optiinfra-status');
  try {
    const client = new Svcm(bus.nc).client({ strategy: 'timer', maxWait: 1_000 });
    console.log('services:');
    let any = false;
    for await (const info of await client.info()) {
      any = true;
      console.log(`  ${info.name} ${info.version} (${info.id}): ${info.endpoints.map((e) => e.subject).join(', ')}`);
    }
    if (!any) console.log('  none answering');
    console.log('streams:');
    for (const name of Object.values(STREAMS)) {
      const s = await bus.jsm.streams.info(name).catch(() => undefined);
      if (!s) console.log(`  ${name}: missing (start the supervisor to provision it)`);
      else console.log(`  ${name}: ${s.state.messages} messages, ${s.state.consumer_count} consumers`);
    }
    try {
      const reply = await request(
        bus.nc,
        subjects.cmd('supervisor', 'status'),
        supervisorStatusV1,
        {},
        { source: 'optiinfra-cli', timeoutMs: 3_000 }
      );
      for (const line of formatPlacement(reply.data as State)) console.log(line);
    } catch (err) {
      if (!(err instanceof OiError)) throw err;
      console.log(`placement: ${err.message}${err.hint ? ` (${err.hint})` : ''}`);
    }
    return 0;
  } finally {
    await bus.drain();
  }
}

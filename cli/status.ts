import { Svcm } from '@nats-io/services';
import { STREAMS } from '../schemas/index.js';
import type { Args } from './args.js';
import { cliBus } from './connect.js';

export const STATUS_USAGE = `optiinfra status
  Lists the services answering $SRV.INFO (what \`nats micro ls\` shows) and the streams with
  their message counts and consumers.`;

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
    return 0;
  } finally {
    await bus.drain();
  }
}

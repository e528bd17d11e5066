import { DeliverPolicy } from '@nats-io/jetstream';
import { STREAMS } from '../schemas/index.js';
import { flag, type Args } from './args.js';
import { cliBus } from './connect.js';

export const WATCH_USAGE = `optiinfra watch [subject] [--history] [--count N]
  Follows messages (default subject: oi.v1.evt.>) and prints one JSON line each.
  --history replays OI_EVT from its start before following.`;

export async function runWatch(args: Args): Promise<number> {
  const subject = args.positionals[0] ?? 'oi.v1.evt.>';
  const max = flag(args, 'count') ? Number(flag(args, 'count')) : Infinity;
  const bus = await cliBus('optiinfra-watch');
  let seen = 0;
  const print = (subj: string, data: Uint8Array): void => {
    const text = new TextDecoder().decode(data);
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* printed as text */
    }
    console.log(JSON.stringify({ subject: subj, message: body }));
    seen++;
  };
  const stop = new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  try {
    if (args.flags.has('history')) {
      const c = await bus.js.consumers.get(STREAMS.evt, {
        filter_subjects: [subject],
        deliver_policy: DeliverPolicy.All,
      });
      const msgs = await c.consume();
      void stop.then(() => msgs.stop());
      for await (const m of msgs) {
        print(m.subject, m.data);
        if (seen >= max) break;
      }
      return 0;
    }
    const sub = bus.nc.subscribe(subject);
    void stop.then(() => sub.unsubscribe());
    console.error(`watching ${subject} (Ctrl-C to stop)`);
    for await (const m of sub) {
      print(m.subject, m.data);
      if (seen >= max) break;
    }
    return 0;
  } finally {
    await bus.drain();
  }
}

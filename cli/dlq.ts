import { readFileSync } from 'node:fs';
import { OiError, getDeadLetter, listDeadLetters, redrive, type RedriveFix } from '../bus/index.js';
import type { Envelope } from '../schemas/index.js';
import { flag, UsageError, type Args } from './args.js';
import { callerIdentity, cliBus } from './connect.js';

export const DLQ_USAGE = `optiinfra dlq list [--stream OI_TEL|OI_CMD|…] [--limit N]
optiinfra dlq show <seq>
optiinfra dlq redrive <seq> [--data <json>|--envelope <json>|--file <path>]
  list: one line per dead letter (seq, stream, subject, reason).
  redrive: validates the fixed message here, sends it back where it came from (a command gets
  its reply printed), then removes the dead letter. --data replaces the envelope's data and
  keeps its id; --envelope/--file replace the whole envelope.`;

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${what} does not parse as JSON: ${(err as Error).message}`);
  }
}

export async function runDlq(args: Args): Promise<number> {
  const [sub, seqArg] = args.positionals;
  if (!sub || !['list', 'show', 'redrive'].includes(sub)) throw new UsageError(DLQ_USAGE);
  const bus = await cliBus('optiinfra-dlq');
  try {
    if (sub === 'list') {
      const stream = flag(args, 'stream');
      const items = await listDeadLetters(bus, {
        ...(stream ? { stream } : {}),
        limit: Number(flag(args, 'limit') ?? 100),
      });
      if (items.length === 0) console.log('no dead letters');
      for (const { seq, envelope } of items) {
        const d = envelope.data;
        console.log(`#${seq}\t${envelope.ts}\t${d.stream}\t${d.subject}\t${d.reason.slice(0, 160)}`);
      }
      return 0;
    }
    const seq = Number(seqArg);
    if (!Number.isInteger(seq) || seq < 1)
      throw new UsageError(`expected a dead letter sequence number, got "${seqArg ?? ''}"`);
    if (sub === 'show') {
      const { envelope } = await getDeadLetter(bus, seq);
      const d = envelope.data;
      const payload = d.payload_b64 !== undefined ? Buffer.from(d.payload_b64, 'base64').toString('utf8') : undefined;
      console.log(JSON.stringify({ seq, ...d, payload_b64: undefined, payload }, null, 2));
      return 0;
    }
    const fix: RedriveFix = {};
    if (flag(args, 'data')) fix.data = parseJson(flag(args, 'data')!, '--data');
    if (flag(args, 'envelope')) fix.envelope = parseJson(flag(args, 'envelope')!, '--envelope') as Envelope;
    if (flag(args, 'file')) fix.envelope = parseJson(readFileSync(flag(args, 'file')!, 'utf8'), '--file') as Envelope;
    const result = await redrive(bus, seq, fix, { caller: callerIdentity() });
    console.log(
      JSON.stringify({ redriven: seq, subject: result.subject, id: result.envelope.id, reply: result.reply }, null, 2)
    );
    return 0;
  } catch (err) {
    if (err instanceof OiError) {
      console.error(`${err.code}: ${err.summary}`);
      for (const i of err.issues) console.error(`  ${i.path}: ${i.message} (${i.rule})`);
      if (err.hint) console.error(`next: ${err.hint}`);
      return 1;
    }
    throw err;
  } finally {
    await bus.drain();
  }
}

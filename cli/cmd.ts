import { readFileSync } from 'node:fs';
import { OiError, makeEnvelope, newId, requestEnvelope } from '../bus/index.js';
import { lookupMessage, subjects, type Envelope } from '../schemas/index.js';
import { flag, UsageError, type Args } from './args.js';
import { callerIdentity, cliBus } from './connect.js';

export const CMD_USAGE = `optiinfra cmd <domain>.<verb> <json|-> [--version N] [--id ID] [--timeout MS]
  Sends a command and prints the reply. <json> is the command's data (wrapped in an envelope
  with schema oi.cmd.<domain>.<verb>.v<N>), or a whole envelope when it has a "schema" field.
  The same --id sent again is answered from the record, with no new effect.
  e.g. optiinfra cmd workload.register '{"workload":"wl-42","name":"chat","model":"meta-llama/Llama-3.1-8B-Instruct"}'`;

/** Builds the envelope for a `cmd` invocation; exported for tests. */
export function buildCommand(
  verbPath: string,
  json: string,
  opts: { version?: number; id?: string }
): { subject: string; envelope: Envelope } {
  const [domain, ...rest] = verbPath.split('.');
  if (!domain || rest.length !== 1)
    throw new UsageError(`expected <domain>.<verb> (e.g. workload.register), got "${verbPath}"`);
  const verb = rest[0]!;
  const version = opts.version ?? 1;
  const subject = subjects.cmd(domain, verb, version);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new UsageError(`the command's JSON does not parse: ${(err as Error).message}`);
  }
  if (parsed && typeof parsed === 'object' && 'schema' in parsed) return { subject, envelope: parsed as Envelope };
  const id = `oi.cmd.${domain}.${verb}.v${version}`;
  const def = lookupMessage(id);
  if (!def) throw new UsageError(`no command ${id}; see schemas/json/index.json for the list`);
  // validate locally too, so a typo is explained before anything is sent
  const envelope = makeEnvelope(def, parsed as never, { source: callerIdentity(), id: opts.id ?? newId() });
  return { subject, envelope };
}

export async function runCmd(args: Args): Promise<number> {
  const [verbPath, jsonArg] = args.positionals;
  if (!verbPath || jsonArg === undefined) throw new UsageError(CMD_USAGE);
  const json = jsonArg === '-' ? readFileSync(0, 'utf8') : jsonArg;
  const version = flag(args, 'version');
  const { subject, envelope } = buildCommand(verbPath, json, {
    ...(version ? { version: Number(version) } : {}),
    ...(flag(args, 'id') ? { id: flag(args, 'id')! } : {}),
  });
  const bus = await cliBus('optiinfra-cli');
  try {
    const reply = await requestEnvelope(bus.nc, subject, envelope, {
      timeoutMs: Number(flag(args, 'timeout') ?? 5000),
      caller: callerIdentity(),
    });
    console.log(JSON.stringify(reply, null, 2));
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

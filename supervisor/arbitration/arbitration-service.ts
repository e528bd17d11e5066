import type { Service } from '@nats-io/services';
import { silentLogger, type Logger } from '../../config/index.js';
import { LeaderElection, LeaseStore } from '../leases/index.js';
import { serveArbitrationCommands } from './arbitration-commands.js';
import { ArbitrationTerm, type TermOptions } from './arbitration-term.js';

export interface ArbitrationOptions extends Omit<TermOptions, 'epoch' | 'logger'> {
  candidate: string;
  /** TTL of the arbitration leader lease (`singleton.arbitration`). */
  leaseTtlMs: number;
  logger?: Logger;
}

export interface Arbitration {
  isLeader(): boolean;
  /** The running term while leader (tests and benchmarks look inside). */
  term(): ArbitrationTerm | undefined;
  stop(): Promise<void>;
}

/**
 * Runs the priority protocol inside the supervisor process: the leader of
 * `singleton.arbitration` starts a term (stamping decisions with its lease epoch) and serves
 * the operator commands; a deposed leader stops both before anyone else can take over.
 */
export async function startArbitration(opts: ArbitrationOptions): Promise<Arbitration> {
  const logger = opts.logger ?? silentLogger;
  const store = await LeaseStore.open(opts.bus);
  const election = new LeaderElection({
    store,
    name: 'arbitration',
    candidate: opts.candidate,
    ttlMs: opts.leaseTtlMs,
    logger,
  });
  let term: ArbitrationTerm | undefined;
  let service: Service | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  const end = async (): Promise<void> => {
    await service?.stop();
    service = undefined;
    await term?.stop();
    term = undefined;
  };
  const begin = async (epoch: number): Promise<void> => {
    await end();
    term = await ArbitrationTerm.start({ ...opts, epoch, logger });
    service = await serveArbitrationCommands({ bus: opts.bus, db: opts.db, term, logger });
  };
  election.on('elected', (epoch: number) => {
    chain = chain.then(() => begin(epoch)).catch((err: unknown) => logger.error({ err }, 'arbitration start failed'));
  });
  election.on('deposed', () => {
    chain = chain.then(end).catch((err: unknown) => logger.error({ err }, 'arbitration stop failed'));
  });
  await election.start();
  return {
    isLeader: () => election.isLeader(),
    term: () => term,
    stop: async () => {
      await election.stop();
      await chain;
      await end();
    },
  };
}

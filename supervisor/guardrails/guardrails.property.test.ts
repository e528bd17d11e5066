import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Guardrails } from './guardrails.js';

// a fixed seed keeps CI reproducible; FC_SEED=<n> explores other streams
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261124) });

const HOUR = 3_600_000;

describe('guardrails properties', () => {
  it('a blast-radius cap holds under a burst of executions', () => {
    let stopped = 0;
    fc.assert(
      fc.property(
        fc.double({ min: 0.05, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(
          fc.record({
            dtMs: fc.integer({ min: 0, max: 10 * 60_000 }),
            workload: fc.constantFrom('wl-1', 'wl-2', 'wl-3'),
            replicas: fc.integer({ min: 0, max: 8 }),
            settle: fc.nat(),
          }),
          { minLength: 1, maxLength: 100 }
        ),
        (share, perHour, burst) => {
          const g = new Guardrails({
            maxCapacityShareAtOnce: share,
            maxActionsPerHourPerWorkload: perHour,
            spendCapUsdPerMonth: 1e9,
          });
          const inFlight = new Map<string, { workload: string; replicas: number }>();
          const started: { workload: string; atMs: number }[] = [];
          const capacity = 16;
          let at = 0;
          burst.forEach((b, i) => {
            at += b.dtMs;
            const ids = [...inFlight.keys()];
            const done = ids[b.settle % Math.max(1, ids.length)];
            if (done && b.settle % 3 === 0) {
              g.settle(done);
              inFlight.delete(done);
            }
            const req = {
              workload: b.workload,
              proposalId: `p-burst-${i}`,
              replicasChanging: b.replicas,
              workloadReplicas: capacity,
              usdPerMonthIncrease: 0,
              firstStep: true,
            };
            if (!g.check(req, at).ok) {
              stopped++;
              return;
            }
            g.record(req, at);
            inFlight.set(req.proposalId, { workload: b.workload, replicas: b.replicas });
            started.push({ workload: b.workload, atMs: at });
            const changing = [...inFlight.values()]
              .filter((f) => f.workload === b.workload)
              .reduce((s, f) => s + f.replicas, 0);
            expect(changing).toBeLessThanOrEqual(Math.max(1, Math.floor(share * capacity), b.replicas));
            if (changing > b.replicas) expect(changing).toBeLessThanOrEqual(Math.max(1, Math.floor(share * capacity)));
            const lastHour = started.filter((s) => s.workload === b.workload && s.atMs > at - HOUR);
            expect(lastHour.length).toBeLessThanOrEqual(perHour);
          });
        }
      ),
      { numRuns: 200 }
    );
    expect(stopped).toBeGreaterThan(100);
  }, 60_000);
});

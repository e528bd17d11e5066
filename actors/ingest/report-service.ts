import type { Service } from '@nats-io/services';
import {
  reportSavingsResultV1,
  reportSavingsV1,
  reportSloResultV1,
  reportSloV1,
  reportSummaryResultV1,
  reportSummaryV1,
  subjects,
  type DataOf,
} from '../../schemas/index.js';
import { serveCommands, type Bus } from '../../bus/index.js';
import type { ClickHouse } from '../../stores/index.js';
import type { Logger } from '../../config/index.js';
import { savingsReport, sloReport, summaryReport } from './report-queries.js';
import { resolveWindow } from './report-window.js';

export const REPORT_SERVICE = 'oi-report';

/**
 * `oi.v1.cmd.report.summary|savings|slo`, answered from the ClickHouse rollups. Every ingest
 * process serves them; replicas share requests through the service's queue group.
 */
export function startReportService(opts: {
  bus: Bus;
  ch: ClickHouse;
  source: string;
  logger?: Logger;
  now?: () => Date;
}): Promise<Service> {
  const now = opts.now ?? (() => new Date());
  const { ch } = opts;
  return serveCommands(opts.bus, {
    name: REPORT_SERVICE,
    version: '0.1.0',
    description: 'OptiInfra reports over the ClickHouse rollups: summary, savings, SLO',
    source: opts.source,
    ...(opts.logger ? { logger: opts.logger } : {}),
    endpoints: [
      {
        name: 'summary',
        subject: subjects.cmd('report', 'summary'),
        accept: [reportSummaryV1],
        reply: reportSummaryResultV1,
        handle: async (env) => {
          const d = env.data as DataOf<typeof reportSummaryV1>;
          return { def: reportSummaryResultV1, data: await summaryReport(ch, resolveWindow(d, now()), d.workload) };
        },
      },
      {
        name: 'savings',
        subject: subjects.cmd('report', 'savings'),
        accept: [reportSavingsV1],
        reply: reportSavingsResultV1,
        handle: async (env) => {
          const d = env.data as DataOf<typeof reportSavingsV1>;
          return { def: reportSavingsResultV1, data: await savingsReport(ch, resolveWindow(d, now()), d.workload) };
        },
      },
      {
        name: 'slo',
        subject: subjects.cmd('report', 'slo'),
        accept: [reportSloV1],
        reply: reportSloResultV1,
        handle: async (env) => {
          const d = env.data as DataOf<typeof reportSloV1>;
          const data = await sloReport(ch, resolveWindow(d, now()), { workload: d.workload, ttftP95Ms: d.ttft_p95_ms });
          return { def: reportSloResultV1, data };
        },
      },
    ],
  });
}

import type { StreamName } from './subjects.js';

/** Where a message travels: its subject pattern and the stream that keeps it (null: core NATS). */
export interface Route {
  readonly subject: string;
  readonly stream: StreamName | null;
}

const reply = (to: string): Route => ({ subject: `reply to ${to}`, stream: null });
const cmd = (verb: string, version = 1): Route => ({ subject: `oi.v${version}.cmd.workload.${verb}`, stream: null });

/**
 * Routes of every registered message, for the JSON index and docs. A test fails when a
 * registered message has no route, so adding a message means saying where it goes.
 */
export const ROUTES: Readonly<Record<string, Route>> = {
  'oi.err.reply.v1': reply('any oi.v<N>.cmd.> request'),
  'oi.cmd.workload.register.v1': cmd('register'),
  'oi.cmd.workload.update.v1': cmd('update'),
  'oi.cmd.workload.get.v1': cmd('get'),
  'oi.cmd.workload.list.v1': cmd('list'),
  'oi.cmd.workload.record.v1': reply('oi.v1.cmd.workload.{register,update,get}'),
  'oi.cmd.workload.page.v1': reply('oi.v1.cmd.workload.list'),
  'oi.cmd.workload.register.v2': cmd('register', 2),
  'oi.cmd.workload.record.v2': reply('oi.v2.cmd.workload.register'),
  'oi.evt.workload.registered.v1': { subject: 'oi.v1.evt.workload.registered.<workload>', stream: 'OI_EVT' },
  'oi.evt.workload.updated.v1': { subject: 'oi.v1.evt.workload.updated.<workload>', stream: 'OI_EVT' },
  'oi.tel.gpu.v1': { subject: 'oi.v1.tel.gpu.<workload>.<node>', stream: 'OI_TEL' },
  'oi.tel.engine.v1': { subject: 'oi.v1.tel.engine.<workload>.<node>', stream: 'OI_TEL' },
  'oi.tel.app.v1': { subject: 'oi.v1.tel.app.<workload>.<node>', stream: 'OI_TEL' },
  'oi.tel.app.t1.v1': { subject: 'oi.v1.tel.app.<workload>.<node>', stream: 'OI_TEL' },
  'oi.tel.app.t2.v1': { subject: 'oi.v1.tel.app.<workload>.<node>', stream: 'OI_TEL' },
  'oi.tel.app.t3.v1': { subject: 'oi.v1.tel.app.<workload>.<node>', stream: 'OI_TEL' },
  'oi.tel.cost.v1': { subject: 'oi.v1.tel.cost.<workload>.<node>', stream: 'OI_TEL' },
  'oi.rec.proposal.v1': { subject: 'oi.v1.rec.<agent>.<workload>', stream: 'OI_REC' },
  'oi.dec.decision.v1': { subject: 'oi.v1.dec.<workload>', stream: 'OI_DEC' },
  'oi.dec.decision.v2': { subject: 'oi.v1.dec.<workload>', stream: 'OI_DEC' },
  'oi.act.action.v1': { subject: 'oi.v1.act.<node>.<verb…>', stream: 'OI_ACT' },
  'oi.act.result.v1': { subject: 'oi.v1.evt.<edge|executor>.action_result.<workload>', stream: 'OI_EVT' },
  'oi.evt.notice.v1': { subject: 'oi.v1.evt.<domain>.<event>.<workload>', stream: 'OI_EVT' },
  'oi.dlq.entry.v1': { subject: 'oi.v1.dlq.<stream>', stream: 'OI_DLQ' },
  'oi.rec.probe.v1': { subject: 'oi.v1.rec.probe.<workload>', stream: 'OI_REC' },
  'oi.rec.fence.v1': { subject: 'oi.v1.rec.fence.p<partition>', stream: 'OI_REC' },
  'oi.clock.tick.v1': { subject: 'oi.v1.clock.tick', stream: null },
  'oi.clock.ack.v1': { subject: 'oi.v1.clock.ack', stream: null },
  'oi.cmd.supervisor.status.v1': { subject: 'oi.v1.cmd.supervisor.status', stream: null },
  'oi.cmd.supervisor.state.v1': reply('oi.v1.cmd.supervisor.status'),
  'oi.cmd.report.summary.v1': { subject: 'oi.v1.cmd.report.summary', stream: null },
  'oi.cmd.report.summary-result.v1': reply('oi.v1.cmd.report.summary'),
  'oi.cmd.report.savings.v1': { subject: 'oi.v1.cmd.report.savings', stream: null },
  'oi.cmd.report.savings-result.v1': reply('oi.v1.cmd.report.savings'),
  'oi.cmd.report.slo.v1': { subject: 'oi.v1.cmd.report.slo', stream: null },
  'oi.cmd.report.slo-result.v1': reply('oi.v1.cmd.report.slo'),
  'oi.cmd.decision.approve.v1': { subject: 'oi.v1.cmd.decision.approve', stream: null },
  'oi.cmd.decision.reject.v1': { subject: 'oi.v1.cmd.decision.reject', stream: null },
  'oi.cmd.decision.list.v1': { subject: 'oi.v1.cmd.decision.list', stream: null },
  'oi.cmd.decision.verdict.v1': reply('oi.v1.cmd.decision.{approve,reject}'),
  'oi.cmd.decision.page.v1': reply('oi.v1.cmd.decision.list'),
  'oi.cmd.workload.set_mode.v1': cmd('set-mode'),
  'oi.cmd.workload.mode.v1': reply('oi.v1.cmd.workload.set-mode'),
  'oi.cmd.fleet.pause.v1': { subject: 'oi.v1.cmd.fleet.pause', stream: null },
  'oi.cmd.fleet.resume.v1': { subject: 'oi.v1.cmd.fleet.resume', stream: null },
  'oi.cmd.fleet.state.v1': reply('oi.v1.cmd.fleet.{pause,resume}'),
  'oi.cmd.cloud.list_instance_types.v1': { subject: 'oi.v1.cmd.cloud.list-instance-types', stream: null },
  'oi.cmd.cloud.instance_types.v1': reply('oi.v1.cmd.cloud.list-instance-types'),
  'oi.cmd.cloud.launch.v1': { subject: 'oi.v1.cmd.cloud.launch', stream: null },
  'oi.cmd.cloud.launched.v1': reply('oi.v1.cmd.cloud.launch'),
  'oi.cmd.cloud.terminate.v1': { subject: 'oi.v1.cmd.cloud.terminate', stream: null },
  'oi.cmd.cloud.terminated.v1': reply('oi.v1.cmd.cloud.terminate'),
  'oi.cmd.cloud.describe_instances.v1': { subject: 'oi.v1.cmd.cloud.describe-instances', stream: null },
  'oi.cmd.cloud.instances.v1': reply('oi.v1.cmd.cloud.describe-instances'),
  'oi.cmd.cloud.costs.v1': { subject: 'oi.v1.cmd.cloud.costs', stream: null },
  'oi.cmd.cloud.cost_report.v1': reply('oi.v1.cmd.cloud.costs'),
  'oi.cmd.cloud.purchase_reservation.v1': { subject: 'oi.v1.cmd.cloud.purchase-reservation', stream: null },
  'oi.cmd.cloud.reservation.v1': reply('oi.v1.cmd.cloud.purchase-reservation'),
  'oi.cmd.cloud.describe_reservations.v1': { subject: 'oi.v1.cmd.cloud.describe-reservations', stream: null },
  'oi.cmd.cloud.reservations.v1': reply('oi.v1.cmd.cloud.describe-reservations'),
};

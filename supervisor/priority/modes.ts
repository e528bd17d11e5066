import type { RiskLevel } from '../../schemas/index.js';
import type { OperatingMode } from './workload-context.js';

/** What a workload's operating mode does with a winning proposal. */
export type ModeRuling = { next: 'execute' | 'await_approval' | 'shadow'; notify: boolean; rule: string };

/**
 * advisory: everything waits for approval; semi: low risk runs, the rest waits; auto: runs and
 * the operator is notified; shadow: decided and recorded, never executed (DESIGN.md).
 */
export function modeRuling(mode: OperatingMode, risk: RiskLevel): ModeRuling {
  switch (mode) {
    case 'advisory':
      return { next: 'await_approval', notify: true, rule: 'mode advisory: every action waits for approval' };
    case 'semi':
      return risk === 'low'
        ? { next: 'execute', notify: false, rule: 'mode semi: low risk runs' }
        : { next: 'await_approval', notify: true, rule: `mode semi: ${risk} risk waits for approval` };
    case 'auto':
      return { next: 'execute', notify: true, rule: 'mode auto: runs, operator notified' };
    case 'shadow':
      return { next: 'shadow', notify: false, rule: 'mode shadow: decided and recorded, never executed' };
  }
}

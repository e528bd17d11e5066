import { OiError } from '../../bus/index.js';
import type { Effect } from './effects.js';

export type ApprovalRefusal = 'unknown_proposal' | 'expired' | 'already_decided' | 'not_pending';

/** An approval (or operator rejection) the arbiter refuses; `refusal` says which rule. */
export class ApprovalError extends OiError {
  override name = 'ApprovalError';
  /** Effects of event time passing up to the refusal (expiries, closed windows): carry them out too. */
  effects: Effect[] = [];
  constructor(
    readonly refusal: ApprovalRefusal,
    readonly proposalId: string,
    message: string
  ) {
    super(refusal === 'unknown_proposal' ? 'OI_NOT_FOUND' : 'OI_CONFLICT', message);
  }
}

export function isApprovalError(err: unknown, refusal?: ApprovalRefusal): err is ApprovalError {
  return err instanceof ApprovalError && (refusal === undefined || err.refusal === refusal);
}

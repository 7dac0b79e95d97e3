/**
 * The two clocks of SPEC §4. `now()` is real time, for token lifetimes, retries, locks and
 * timeouts. `businessNow()` is the business clock the playbook runs on; ARDESK_NOW freezes it
 * for demos, tests and back-tests.
 */
export interface Clock {
  now(): Date;
  businessNow(): Date;
}

export function systemClock(frozenBusinessNow?: Date): Clock {
  return {
    now: () => new Date(),
    businessNow: () => (frozenBusinessNow ? new Date(frozenBusinessNow) : new Date()),
  };
}

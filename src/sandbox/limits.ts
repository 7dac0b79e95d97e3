/**
 * QuickBooks' per-company throttles: at most `maxInFlight` requests at once, `perMinute`
 * requests in any 60 s, and `batchPerMinute` batch requests in any 60 s. A request over a limit
 * is refused (429) and does not count.
 */
export interface LimitSettings {
  enabled: boolean;
  maxInFlight: number;
  perMinute: number;
  batchPerMinute: number;
}

export const INTUIT_LIMITS: LimitSettings = { enabled: true, maxInFlight: 10, perMinute: 500, batchPerMinute: 40 };

class Window {
  private readonly times: number[] = [];
  count(now: number): number {
    while (this.times.length && this.times[0]! <= now - 60_000) this.times.shift();
    return this.times.length;
  }
  add(now: number): void {
    this.times.push(now);
  }
}

export type Admission = { admitted: true; release: () => void } | { admitted: false; reason: 'in-flight' | 'per-minute' | 'batch-per-minute' };

export class RealmLimiter {
  private inFlight = 0;
  private readonly minute = new Window();
  private readonly batchMinute = new Window();

  constructor(private readonly settings: () => LimitSettings) {}

  admit(now: number, isBatch: boolean): Admission {
    const limits = this.settings();
    if (limits.enabled) {
      if (this.inFlight >= limits.maxInFlight) return { admitted: false, reason: 'in-flight' };
      if (this.minute.count(now) >= limits.perMinute) return { admitted: false, reason: 'per-minute' };
      if (isBatch && this.batchMinute.count(now) >= limits.batchPerMinute) return { admitted: false, reason: 'batch-per-minute' };
    }
    this.inFlight++;
    this.minute.add(now);
    if (isBatch) this.batchMinute.add(now);
    let released = false;
    return {
      admitted: true,
      release: () => {
        if (!released) {
          released = true;
          this.inFlight--;
        }
      },
    };
  }
}

/** Requests one company's sync keeps in flight at most: QuickBooks' limit per company (SPEC §3). */
export const MAX_IN_FLIGHT = 10;
/** Pages of a sync asked for or read and not yet stored, at most: bounds its memory. */
export const PAGES_HELD = 20;

/** At most `max` calls at a time; the rest wait their turn in order. */
export class InFlight {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly max: number) {}

  async run<T>(call: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await call();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

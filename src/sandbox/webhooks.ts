import { createHmac, randomUUID } from 'node:crypto';
import type { ChangeEvent } from './realm';

export interface WebhookSettings {
  url: string;
  verifierToken: string;
  format: 'legacy' | 'cloudevents';
  /** Changes within this many ms go out in one delivery, as Intuit batches them. */
  delayMs: number;
}

export interface WebhookDelivery {
  at: string;
  status: number | 'error';
  attempt: number;
  events: number;
}

const OPERATION_VERB: Record<string, string> = { Create: 'created', Update: 'updated', Delete: 'deleted', Void: 'voided', Merge: 'merged' };

export function signWebhook(verifierToken: string, body: string): string {
  return createHmac('sha256', verifierToken).update(body, 'utf8').digest('base64');
}

export function webhookBody(format: WebhookSettings['format'], events: ChangeEvent[]): string {
  if (format === 'cloudevents') {
    return JSON.stringify(
      events.map((event) => ({
        specversion: '1.0',
        id: randomUUID(),
        source: 'intuit.sandbox',
        type: `qbo.${event.name.toLowerCase()}.${OPERATION_VERB[event.operation]}.v1`,
        datacontenttype: 'application/json',
        time: new Date(event.lastUpdated).toISOString(),
        intuitentityid: event.id,
        intuitaccountid: event.realmId,
        data: {},
      })),
    );
  }
  const byRealm = new Map<string, ChangeEvent[]>();
  for (const event of events) byRealm.set(event.realmId, [...(byRealm.get(event.realmId) ?? []), event]);
  return JSON.stringify({
    eventNotifications: [...byRealm].map(([realmId, list]) => ({
      realmId,
      dataChangeEvent: { entities: list.map((e) => ({ name: e.name, id: e.id, operation: e.operation, lastUpdated: new Date(e.lastUpdated).toISOString() })) },
    })),
  });
}

/**
 * Posts signed change notifications to the configured URL, batched over a short delay and
 * retried (3 attempts) when the receiver fails, as Intuit does.
 */
export class WebhookDispatcher {
  private pending: ChangeEvent[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();
  readonly deliveries: WebhookDelivery[] = [];

  constructor(private readonly settings: () => WebhookSettings | undefined) {}

  record(event: ChangeEvent): void {
    const settings = this.settings();
    if (!settings) return;
    this.pending.push(event);
    this.timer ??= setTimeout(() => this.flush(), settings.delayMs);
    this.timer.unref?.();
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const settings = this.settings();
    const events = this.pending;
    this.pending = [];
    if (!settings || events.length === 0) return;
    const delivery = this.deliver(settings, webhookBody(settings.format, events), events.length);
    this.inFlight.add(delivery);
    void delivery.finally(() => this.inFlight.delete(delivery));
  }

  private async deliver(settings: WebhookSettings, body: string, count: number): Promise<void> {
    for (let attempt = 1; attempt <= 3; attempt++) {
      let status: number | 'error';
      try {
        const response = await fetch(settings.url, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', 'intuit-signature': signWebhook(settings.verifierToken, body) },
          signal: AbortSignal.timeout(5000),
        });
        status = response.status;
      } catch {
        status = 'error';
      }
      this.deliveries.push({ at: new Date().toISOString(), status, attempt, events: count });
      if (typeof status === 'number' && status >= 200 && status < 300) return;
      await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
    }
  }

  /** Waits for pending and in-flight deliveries (tests and shutdown). */
  async drain(): Promise<void> {
    this.flush();
    await Promise.all([...this.inFlight]);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.pending = [];
  }
}

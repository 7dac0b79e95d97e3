import type { LocalDate } from '../../src/collections/calendar';
import { csrfTokenIn, type HttpClient } from '../support/http';

/** A line of the work list as the JSON API answers it. */
export interface ListItem {
  taskId: string;
  customer: { id: string; name: string; type: string };
  overdueBalance: number;
  oldestDaysOverdue: number;
  level: number;
  scheduledFor: LocalDate;
  flags: string[];
}

/** `GET /api/realms/:realmId/accounts/:customerId?date=` as it answers. */
export interface AccountAnswer {
  date: LocalDate;
  customer: { id: string; name: string; type: string };
  openBalance: number;
  overdueBalance: number;
  oldestDaysOverdue: number;
  level: number;
  openInvoices: Array<{ id: string; number: string; dueDate: LocalDate; balance: number; daysOverdue: number; level: number }>;
  task: { id: string; level: number; reason: string; scheduledFor: LocalDate } | null;
}

export interface OutcomeAnswer {
  taskId: string;
  taskStatus: 'open' | 'done';
  scheduledFor: LocalDate;
  promiseIds: string[];
  disputeId?: string;
  messageQueued: boolean;
}

/** What the call sheet page shows, read from its HTML. */
export interface CallSheetFigures {
  overdueText: string;
  /** The largest "Days overdue" of its open-invoice table (0 when nothing is overdue). */
  oldestDaysOverdue: number;
  rows: Array<{ number: string; balanceText: string; daysOverdue: number; level: number }>;
}

/** Creates a read-write company API token on the settings page, as a member would; answers the secret shown once. */
export async function createCompanyToken(http: HttpClient, realmId: string, name: string): Promise<string> {
  const settings = await http.get(`/companies/${realmId}/settings`);
  const answer = await http.postForm(`/companies/${realmId}/api-tokens`, { _csrf: csrfTokenIn(await settings.text()), name, scope: 'read_write' });
  const secret = /<code[^>]*id="new-api-token"[^>]*>([^<]+)<\/code>/.exec(await answer.text())?.[1];
  if (answer.status !== 200 || !secret) throw new Error(`no API token was created (${answer.status})`);
  return secret;
}

/**
 * Ardesk as its users reach it: the JSON API with a company API token (`Authorization: Bearer
 * ardk_…`), and the collector's pages with a signed-in session.
 */
export class ArdeskClient {
  constructor(
    private readonly baseUrl: string,
    private readonly realmId: string,
    private readonly token: string,
    private readonly session: HttpClient,
  ) {}

  private async api<T>(path: string, init: RequestInit = {}): Promise<T> {
    const answer = await fetch(`${this.baseUrl}/api/realms/${this.realmId}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${this.token}`, accept: 'application/json', 'content-type': 'application/json' },
    });
    const body = await answer.text();
    if (!answer.ok) throw new Error(`${init.method ?? 'GET'} ${path} answered ${answer.status}: ${body.slice(0, 500)}`);
    return JSON.parse(body) as T;
  }

  /** Every page of the day's work list, `pageSize` lines at a time; fails if the pages do not add up to the total. */
  async workList(day: LocalDate, pageSize = 10): Promise<ListItem[]> {
    const items: ListItem[] = [];
    for (let offset = 0; ; offset += pageSize) {
      const page = await this.api<{ date: LocalDate; total: number; items: ListItem[] }>(`/worklist?date=${day}&limit=${pageSize}&offset=${offset}`);
      if (page.date !== day) throw new Error(`the work list for ${day} answered for ${page.date}`);
      items.push(...page.items);
      if (page.items.length < pageSize || items.length >= page.total) {
        if (items.length !== page.total) throw new Error(`the work list for ${day} says ${page.total} calls but its pages held ${items.length}`);
        return items;
      }
    }
  }

  account(customerId: string, day: LocalDate): Promise<AccountAnswer> {
    return this.api<AccountAnswer>(`/accounts/${customerId}?date=${day}`);
  }

  recordOutcome(taskId: string, outcome: Record<string, unknown>): Promise<OutcomeAnswer> {
    return this.api<OutcomeAnswer>(`/tasks/${taskId}/outcome`, { method: 'POST', body: JSON.stringify(outcome) });
  }

  /** The call sheet a collector opens from the day's list (`/companies/:realmId/tasks/:taskId`). */
  async callSheet(taskId: string): Promise<CallSheetFigures> {
    const answer = await this.session.get(`/companies/${this.realmId}/tasks/${taskId}`);
    const html = await answer.text();
    if (answer.status !== 200) throw new Error(`the call sheet of task ${taskId} answered ${answer.status}`);
    return readCallSheet(html);
  }
}

function textOf(html: string): string {
  return html
    .replace(/<[^>]+>/g, '')
    .replace(/&nbsp;/g, ' ')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .trim();
}

/** The summary's overdue figure and the open-invoice table, from the call sheet's HTML. */
export function readCallSheet(html: string): CallSheetFigures {
  const summary = /<p class="summary">([\s\S]*?)<\/p>/.exec(html)?.[1];
  const overdue = summary && /<strong>([^<]*)<\/strong>\s*overdue of/.exec(summary)?.[1];
  if (!overdue) throw new Error('the call sheet shows no overdue figure in its summary');
  const section = /id="invoices-heading"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(section)?.[1] ?? '';
  const rows = [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) => {
    const cells = [...row[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((cell) => textOf(cell[1]!));
    if (cells.length !== 7) throw new Error(`a row of the call sheet's open invoices has ${cells.length} cells, not 7`);
    const [invoice, , , , balance, days, level] = cells as [string, string, string, string, string, string, string];
    return { number: invoice.replace(/^#/, '').split(/\s/)[0]!, balanceText: balance, daysOverdue: Number(days), level: Number(level) };
  });
  return { overdueText: textOf(overdue), oldestDaysOverdue: rows.reduce((max, r) => Math.max(max, r.daysOverdue), 0), rows };
}

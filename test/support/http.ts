/**
 * A small HTTP client for tests that keeps cookies like a browser and does not follow redirects
 * unless asked, so each hop of a flow can be checked.
 */
export class HttpClient {
  private readonly cookies = new Map<string, string>();

  constructor(readonly baseUrl: string) {}

  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  private remember(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair] = header.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0|expires=Thu, 01 Jan 1970/i.test(header) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path: string, init: RequestInit & { followRedirects?: boolean } = {}): Promise<Response> {
    let url = new URL(path, this.baseUrl).toString();
    let options: RequestInit = init;
    for (let hop = 0; hop < 10; hop++) {
      const headers = new Headers(options.headers);
      const sameOrigin = new URL(url).origin === new URL(this.baseUrl).origin;
      if (sameOrigin && this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
      const response = await fetch(url, { ...options, headers, redirect: 'manual' });
      if (sameOrigin) this.remember(response);
      const location = response.headers.get('location');
      if (!init.followRedirects || response.status < 300 || response.status >= 400 || !location) return response;
      url = new URL(location, url).toString();
      options = { method: 'GET' };
    }
    throw new Error(`Too many redirects from ${path}`);
  }

  get(path: string, init: RequestInit & { followRedirects?: boolean } = {}): Promise<Response> {
    return this.request(path, { ...init, method: 'GET' });
  }

  postForm(path: string, fields: Record<string, string>, init: RequestInit = {}): Promise<Response> {
    return this.request(path, { ...init, method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded', ...(init.headers as Record<string, string>) } });
  }

  postJson(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
    return this.request(path, { method: 'POST', body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/json', accept: 'application/json', ...headers } });
  }
}

/** The CSRF token a page embeds in its forms. */
export function csrfTokenIn(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html) ?? /<meta name="csrf-token" content="([^"]+)"/.exec(html);
  if (!match) throw new Error('No CSRF token on the page');
  return match[1]!;
}

/** A response's JSON body, loosely typed for assertions. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function jsonOf(response: Response): Promise<any> {
  return response.json();
}

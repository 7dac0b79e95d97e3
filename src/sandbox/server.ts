import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { adminRoutes } from './admin-routes';
import { apiRoutes } from './api-routes';
import { oauthRoutes } from './oauth-routes';
import { payRoutes } from './pay-routes';
import { Sandbox, type SandboxOptions } from './sandbox';

/** The emulator as an Express app: OAuth, the Accounting API, the pay page and the admin knobs. */
export function createSandboxApp(sandbox: Sandbox): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(oauthRoutes(sandbox));
  app.use(adminRoutes(sandbox));
  app.use(payRoutes(sandbox));
  app.use(apiRoutes(sandbox));
  app.use((_req, res) => {
    res.status(404).type('text/plain').send('Not found in the QuickBooks sandbox');
  });
  app.use((error: { status?: number; type?: string }, _req: express.Request, res: express.Response, _next: express.NextFunction) => {
    const status = error.type === 'entity.too.large' ? 413 : error.type === 'entity.parse.failed' ? 400 : 500;
    const message = status === 400 ? 'Error parsing object: the request body is not valid JSON' : status === 413 ? 'Request too large' : 'System Failure Error';
    res.status(status).json({ Fault: { Error: [{ Message: message, Detail: message, code: status === 500 ? '10000' : '2010' }], type: status === 500 ? 'SystemFault' : 'ValidationFault' } });
  });
  return app;
}

export interface RunningSandbox {
  sandbox: Sandbox;
  server: Server;
  url: string;
  stop(): Promise<void>;
}

export async function startSandbox(options: SandboxOptions & { port?: number; host?: string; sandbox?: Sandbox } = {}): Promise<RunningSandbox> {
  const sandbox = options.sandbox ?? new Sandbox(options);
  const app = createSandboxApp(sandbox);
  const host = options.host ?? '127.0.0.1';
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(options.port ?? 0, host, (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  server.keepAliveTimeout = 5000;
  const { port } = server.address() as AddressInfo;
  const url = `http://${host}:${port}`;
  sandbox.publicUrl = url;
  return {
    sandbox,
    server,
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        sandbox.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

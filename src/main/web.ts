import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppContext } from '../app-context';
import { createWebApp } from '../web/app';

export interface RunningWeb {
  server: Server;
  url: string;
  /** Stops accepting; requests in flight get `forceAfterMs` (10 s) to finish, then their connections are closed. */
  stop(forceAfterMs?: number): Promise<void>;
}

/** Serves the web app on config.port; stop() lets in-flight requests finish first. */
export async function startWeb(context: AppContext, port = context.config.port): Promise<RunningWeb> {
  const app = createWebApp(context);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, '0.0.0.0', (error?: Error) => (error ? reject(error) : resolve(listening)));
  });
  // Slow clients must not hold sockets forever; these stay above any normal request.
  server.requestTimeout = 30_000;
  server.headersTimeout = 20_000;
  const { port: actual } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${actual}`;
  context.logger.info({ port: actual, publicUrl: context.config.publicUrl }, 'web listening');
  return {
    server,
    url,
    stop: (forceAfterMs = 10_000) =>
      new Promise<void>((resolve) => {
        const force = setTimeout(() => server.closeAllConnections(), Math.max(0, forceAfterMs));
        force.unref();
        // A keep-alive connection busy at close goes idle when its answer is sent: close it then.
        const idle = setInterval(() => server.closeIdleConnections(), 250);
        idle.unref();
        server.close(() => {
          clearTimeout(force);
          clearInterval(idle);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

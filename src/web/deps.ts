import type { Clock } from '../clock';
import type { Config } from '../config';
import type { Lifecycle } from '../lifecycle';
import type { Logger } from '../logger';
import type { HttpMetrics, Metrics } from '../metrics';
import type { Services } from '../services';

/** What the web reads of the configuration. */
export type WebConfig = Pick<Config, 'env' | 'publicUrl' | 'session' | 'sessionSecret' | 'legal' | 'apiToken' | 'metricsToken' | 'operatorEmails' | 'retentionDays' | 'customerLinks'> & {
  intuit: Pick<Config['intuit'], 'localUrl' | 'webhookVerifierToken'>;
};

/**
 * Everything the web app is built from. Routes reach data only through the services (readiness
 * too: `services.readiness` pings the database and Redis); each route takes just the parts it
 * uses (`Pick<WebDeps, …>`, `Uses<…>`). The app context has all of it.
 */
export interface WebDeps {
  config: WebConfig;
  logger: Logger;
  clock: Clock;
  services: Services;
  /** This process's Prometheus registry: the web counts requests into it and serves it. */
  metrics: HttpMetrics & Pick<Metrics, 'contentType' | 'render'>;
  /** Whether this process has begun to stop (readiness fails from then on). */
  lifecycle: Pick<Lifecycle, 'stopping'>;
}

import path from 'node:path';
import express, { type Express } from 'express';
import session from 'express-session';
import helmet from 'helmet';
import { csrfProtection } from './csrf';
import { errorHandler, notFoundHandler } from './error-handler';
import { requestLogger } from './request-logger';
import { healthRoutes } from './routes/health';
import { homeRoutes } from './routes/home';
import { apiRoutes } from './routes/api';
import { messagesApi } from './routes/messages-api';
import { accountRoutes } from './routes/accounts';
import { templateRoutes } from './routes/templates';
import { templatePages } from './routes/template-pages';
import { outboxPages } from './routes/outbox-pages';
import { activityRoutes } from './routes/activities';
import { companyRoutes } from './routes/companies';
import { connectRoutes } from './routes/connect';
import { webhookRoutes } from './routes/webhooks';
import { authenticatedByToken, identify } from './access';
import { DatabaseSessionStore, SESSION_COOKIE, sessionLifetime } from './session-store';
import { apiTokenRoutes } from './routes/api-tokens';
import { signInRoutes } from './routes/sign-in';
import { createViewEngine } from './view-engine';
import { callPages } from './routes/call-pages';
import { customerPages } from './routes/customer-pages';
import { customerPageLimit, customerPortal, isOneClickUnsubscribe } from './routes/customer-portal';
import { reportPages } from './routes/report-pages';
import { reviewRoutes } from './routes/review';
import { backtestPages } from './routes/backtest-pages';
import { metricsRoutes } from './routes/metrics';
import { legalRoutes } from './routes/legal';
import { isOperator, isQueueViewApi, operatorRoutes } from './routes/operator';
import { httpMetrics } from './http-metrics';
import { VIEWS_DIR } from '../paths';
import type { WebConfig, WebDeps } from './deps';

const BODY_LIMIT = '1mb';

/**
 * The Express app. Middleware order matters and is the whole story of a request; read it top down.
 * It is built from its deps only (the app context is one): routes reach data through the services.
 */
export function createWebApp(deps: WebDeps): Express {
  const { config } = deps;
  const secure = config.publicUrl.startsWith('https://');
  const lifetime = sessionLifetime(config.session);
  const app = express();

  app.disable('x-powered-by');
  // Behind an HTTPS proxy, trust its X-Forwarded-* so secure cookies and redirects are right.
  if (secure) app.set('trust proxy', 1);
  app.engine('hbs', createViewEngine(VIEWS_DIR, { reload: config.env === 'development' }));
  app.set('view engine', 'hbs');
  app.set('views', VIEWS_DIR);
  // Every page's footer links to the licence agreement and the privacy policy (the operator's own, if set).
  app.locals.legal = { eula: config.legal.eulaUrl ?? '/eula', privacy: config.legal.privacyUrl ?? '/privacy' };

  app.use(requestLogger(deps.logger.child({ module: 'web' })));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          // The consent screen of the local sandbox is reached by redirect, and forms post only here.
          formAction: ["'self'", ...formTargets(config)],
          frameAncestors: ["'none'"],
          upgradeInsecureRequests: secure ? [] : null,
        },
      },
      strictTransportSecurity: secure,
    }),
  );
  app.use(express.static(path.join(VIEWS_DIR, 'public'), { maxAge: '1h', index: false }));
  app.use(httpMetrics(deps.metrics));
  // Everything past the static files may hold a company's data (pages, the API, letters, PDFs):
  // no browser, proxy or CDN may keep a copy.
  app.use((_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });

  // Probes and metrics come before sessions: they must not create or need one.
  app.use(healthRoutes(deps));
  app.use(metricsRoutes(deps));

  // Webhooks need their raw bytes for the signature, so they come before the JSON parser.
  app.use(webhookRoutes(deps));
  // The customer's public pages answer a few requests a minute per address, before any session or body work.
  app.use('/c/', customerPageLimit(deps));
  app.use(express.json({ limit: BODY_LIMIT }));
  app.use(express.urlencoded({ extended: false, limit: BODY_LIMIT }));
  // A session is stored only once it holds something (a person, a form token, an OAuth state);
  // the store ends it server-side after the idle limit or the absolute lifetime.
  app.use(
    session({
      name: SESSION_COOKIE,
      secret: config.sessionSecret,
      store: new DatabaseSessionStore(deps.services.webSessions, lifetime, () => deps.clock.now()),
      resave: false,
      saveUninitialized: false,
      rolling: false,
      proxy: secure,
      cookie: { httpOnly: true, sameSite: 'lax', secure, maxAge: lifetime.absoluteMs },
    }),
  );
  app.use(identify(deps));
  // CSRF is skipped only for a request a valid API token authenticated, never on a header's shape.
  // The queue view's own calls are checked by origin instead (routes/operator.ts); a one-click
  // unsubscribe by its signed URL (a mail provider posts it, with no cookie).
  app.use(csrfProtection({ exempt: (req) => req.path.startsWith('/webhooks/') || authenticatedByToken(req) || isQueueViewApi(req) || isOneClickUnsubscribe(req), stateless: authenticatedByToken }));
  app.use((req, res, next) => {
    res.locals.signedIn = Boolean(req.session.userId);
    res.locals.operator = isOperator(config, req);
    next();
  });

  app.use(customerPortal(deps));
  app.use(homeRoutes(deps));
  app.use(legalRoutes(deps));
  app.use(operatorRoutes(deps));
  app.use(signInRoutes(deps));
  app.use(connectRoutes(deps));
  app.use(apiTokenRoutes(deps));
  app.use(companyRoutes(deps));
  app.use(apiRoutes(deps));
  app.use(accountRoutes(deps));
  app.use(templateRoutes(deps));
  app.use(templatePages(deps));
  app.use(outboxPages(deps));
  app.use(messagesApi(deps));
  app.use(activityRoutes(deps));
  app.use(callPages(deps));
  app.use(customerPages(deps));
  app.use(reportPages(deps));
  app.use(reviewRoutes(deps));
  app.use(backtestPages(deps));

  app.use(notFoundHandler());
  app.use(errorHandler());
  return app;
}

/** Where forms may post besides ourselves: the OAuth consent screen of the local sandbox. */
function formTargets(config: WebConfig): string[] {
  return config.intuit.localUrl ? [config.intuit.localUrl] : [];
}

# syntax=docker/dockerfile:1
# Ardesk: one image for `ardesk web`, `ardesk worker` and `ardesk start` (the default command).
# Build: docker build -t ardesk .   Run: see compose.yaml and the README's "Docker" section.

ARG NODE_VERSION=24

# --- build: install everything, compile TypeScript, then keep only the runtime dependencies ---
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bench ./bench
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# --- runtime: the compiled program, its dependencies, views and templates; runs as `node` ---
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    PORT=3000 \
    WORKER_HEALTH_PORT=3001 \
    DATA_DIR=/app/var
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY views ./views
COPY templates ./templates
# The embedded database and the mail outbox, when DATABASE_URL and SMTP_URL are not set.
RUN mkdir -p /app/var && chown node:node /app/var
USER node
EXPOSE 3000 3001
# `ardesk start` serves /healthz on PORT; compose.yaml gives web and worker checks of their own.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Stopping takes at most 25 s (SIGTERM); give the container at least 30 s (docker stop -t 30).
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/ardesk"]
CMD ["start"]

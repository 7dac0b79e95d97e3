import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  env_file?: Array<{ path: string; required?: boolean }>;
  ports?: string[];
  expose?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[]; interval?: string; timeout?: string; retries?: number };
  stop_grace_period?: string;
  volumes?: string[];
}

/** What .env.example sets: NAME=value lines, comments aside. */
function exampleEnv(): Map<string, string> {
  return new Map(
    read('.env.example')
      .split('\n')
      .filter((line) => /^[A-Z][A-Z0-9_]*=/.test(line))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

const seconds = (text: string | undefined) => Number(/^(\d+)s$/.exec(text ?? '')?.[1] ?? NaN);

/**
 * Docker is not installed here and images cannot be pulled, so neither the image nor the compose
 * file is run: this checks their shape against each other, .env.example and the README.
 */
describe('compose.yaml and the Dockerfile', () => {
  const compose = parse(read('compose.yaml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const services = compose.services;
  const example = exampleEnv();
  const readme = read('README.md');
  const dockerfile = read('Dockerfile');

  it('runs web, worker, PostgreSQL and Redis, the two Ardesk ones from this image', () => {
    expect(Object.keys(services).sort()).toEqual(['postgres', 'redis', 'web', 'worker']);
    for (const name of ['web', 'worker']) {
      expect(services[name]!.build).toBe('.');
      expect(services[name]!.image).toBe('ardesk:local');
      expect(services[name]!.env_file).toEqual([{ path: '.env', required: false }]);
    }
    expect(services.web!.command).toEqual(['web']);
    expect(services.worker!.command).toEqual(['worker']);
    expect(services.postgres!.image).toMatch(/^postgres:\d+/);
    expect(services.redis!.image).toMatch(/^redis:\d+/);
    expect(Object.keys(compose.volumes).sort()).toEqual(['postgres-data', 'redis-data']);
  });

  it('publishes the web on PORT and keeps the worker\'s health port inside, as .env.example says', () => {
    expect(example.get('PORT')).toBe('3000');
    expect(example.get('WORKER_HEALTH_PORT')).toBe('3001');
    expect(services.web!.ports).toEqual(['${PORT:-3000}:3000']);
    expect(services.web!.environment!.PORT).toBe(example.get('PORT'));
    expect(services.worker!.ports).toBeUndefined();
    expect(services.worker!.expose).toEqual([example.get('WORKER_HEALTH_PORT')]);
    expect(services.worker!.environment!.WORKER_HEALTH_PORT).toBe(example.get('WORKER_HEALTH_PORT'));
    expect(dockerfile).toMatch(/^EXPOSE 3000 3001$/m);
  });

  it('sets only variables .env.example and the README document, and points Ardesk at its own database and Redis', () => {
    for (const name of ['web', 'worker']) {
      const environment = services[name]!.environment!;
      for (const variable of Object.keys(environment)) {
        expect({ service: name, variable, inExample: example.has(variable), inReadme: readme.includes(`\`${variable}\``) }).toEqual({ service: name, variable, inExample: true, inReadme: true });
      }
      expect(environment.NODE_ENV).toBe('production');
      expect(environment.DATABASE_URL).toBe('postgres://ardesk:${POSTGRES_PASSWORD:-ardesk}@postgres:5432/ardesk');
      expect(environment.REDIS_URL).toBe('redis://redis:6379');
    }
    const postgres = services.postgres!.environment!;
    expect(postgres).toEqual({ POSTGRES_USER: 'ardesk', POSTGRES_PASSWORD: '${POSTGRES_PASSWORD:-ardesk}', POSTGRES_DB: 'ardesk' });
    // Every ${VARIABLE} compose interpolates is one .env.example offers.
    for (const [, variable] of read('compose.yaml').matchAll(/\$\{([A-Z_]+)(?::-[^}]*)?\}/g)) expect({ variable, inExample: example.has(variable!) }).toEqual({ variable, inExample: true });
  });

  it('checks every service\'s health, on the ports Ardesk answers, and starts Ardesk after healthy PostgreSQL and Redis', () => {
    for (const [name, service] of Object.entries(services)) {
      expect({ name, test: Array.isArray(service.healthcheck?.test) }).toEqual({ name, test: true });
      expect(service.healthcheck!.retries).toBeGreaterThanOrEqual(3);
    }
    expect(services.web!.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${example.get('PORT')}/readyz`);
    expect(services.worker!.healthcheck!.test.join(' ')).toContain(`http://127.0.0.1:${example.get('WORKER_HEALTH_PORT')}/readyz`);
    expect(services.postgres!.healthcheck!.test.join(' ')).toContain('pg_isready -U ardesk -d ardesk');
    expect(services.redis!.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
    for (const name of ['web', 'worker']) {
      expect(services[name]!.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
      // A stop takes at most 25 s: the container must be given more before SIGKILL.
      expect(seconds(services[name]!.stop_grace_period)).toBeGreaterThan(25);
    }
  });

  it('runs Redis as the README asks: append-only, and never evicting BullMQ\'s keys', () => {
    expect(services.redis!.command).toEqual(['redis-server', '--appendonly', 'yes', '--maxmemory-policy', 'noeviction']);
    expect(readme).toContain('`maxmemory-policy noeviction`');
    expect(services.postgres!.volumes).toEqual(['postgres-data:/var/lib/postgresql/data']);
    expect(services.redis!.volumes).toEqual(['redis-data:/data']);
  });

  it('builds in two stages on the Node LTS of .nvmrc, and runs as a user that is not root', () => {
    const nvmrc = read('.nvmrc').trim();
    expect(Number(nvmrc) % 2).toBe(0); // even majors are the LTS lines
    expect(dockerfile).toContain(`ARG NODE_VERSION=${nvmrc}`);
    const stages = [...dockerfile.matchAll(/^FROM (\S+)(?: AS (\w+))?$/gm)].map((m) => ({ image: m[1], name: m[2] }));
    expect(stages).toEqual([
      { image: 'node:${NODE_VERSION}-bookworm-slim', name: 'build' },
      { image: 'node:${NODE_VERSION}-bookworm-slim', name: 'runtime' },
    ]);
    const runtime = dockerfile.slice(dockerfile.indexOf('AS runtime'));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).not.toMatch(/^USER root$/m);
    expect(runtime).toMatch(/^COPY --from=build \/app\/dist \.\/dist$/m);
    for (const folder of ['bin', 'views', 'templates']) expect(runtime).toContain(`COPY ${folder} ./${folder}`);
    expect(dockerfile).toContain('npm prune --omit=dev');
    expect(dockerfile).toContain('ENTRYPOINT ["node", "bin/ardesk"]');
    expect(read('.dockerignore').split('\n')).toEqual(expect.arrayContaining(['.env', 'node_modules', 'dist', 'var']));
  });

  it('is documented in the README, including what was not run here', () => {
    expect(readme).toContain('docker compose up -d --build');
    expect(readme).toMatch(/Not run\s+here: Docker is not installed/);
    expect(readme).toContain('## Backup and restore');
    expect(readme).toContain('pg_dump --format=custom');
    expect(readme).toContain('pg_restore --clean --if-exists');
  });
});

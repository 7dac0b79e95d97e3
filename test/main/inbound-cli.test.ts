import { spawn } from 'node:child_process';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { ARDESK_BIN, CLEAN_CWD, runArdesk } from '../support/cli';
import { freePort } from '../support/connected-app';
import { createPostgresDatabase } from '../support/database';
import { testEnv } from '../support/env';
import { processClockEnv } from '../support/process-clock';
import { until } from '../support/until';

/** `ardesk inbound` as a process: refuses to start unconfigured, listens, records, stops on SIGTERM. */
describe('ardesk inbound', () => {
  it('says what to configure when neither the listener nor the poller is', async () => {
    const database = await createPostgresDatabase();
    try {
      const result = await runArdesk(['inbound'], testEnv({ DATABASE_URL: database.url }), 60_000);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(/INBOUND_ADDRESS .*INBOUND_IMAP_URL/);
    } finally {
      await database.drop();
    }
  });

  it('listens for SMTP, keeps what it cannot match for the operator, refuses other recipients, and stops on SIGTERM', async () => {
    const database = await createPostgresDatabase();
    const port = await freePort();
    const env = testEnv({ DATABASE_URL: database.url, LOG_LEVEL: 'info', INBOUND_ADDRESS: 'replies@in.harbor.test', INBOUND_SECRET: 'inbound-secret-for-cli-tests-0123456789abc', INBOUND_SMTP_PORT: String(port) });
    const child = spawn(process.execPath, [ARDESK_BIN, 'inbound'], { env: { PATH: process.env.PATH, ...processClockEnv(), ...env }, stdio: ['ignore', 'pipe', 'pipe'], cwd: CLEAN_CWD });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const client = new pg.Client({ connectionString: database.url });
    try {
      await until('the listener to start', () => output.includes('inbound SMTP listener started'), 60_000);
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
      await transport.sendMail({ from: 'someone@acme.test', to: 'replies+1.2.abc@in.harbor.test', subject: 'A reply nobody can place', text: 'hello' });
      await expect(transport.sendMail({ from: 'someone@acme.test', to: 'anyone@elsewhere.test', subject: 'relay?', text: 'x' })).rejects.toMatchObject({ responseCode: 550 });
      await client.connect();
      const rows = await client.query('select kind, realm_id, subject, received_via from inbound_messages');
      expect(rows.rows).toEqual([{ kind: 'unmatched', realm_id: null, subject: 'A reply nobody can place', received_via: 'smtp' }]);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
      await client.end().catch(() => undefined);
      await database.drop();
    }
  }, 120_000);
});

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { freePort } from './connected-app';
import { until } from './until';

/**
 * A real IMAP server for a test: Debian's dovecot (package dovecot-imapd), run in the
 * foreground from a private configuration in a temporary folder (one passwd-file user,
 * plaintext login on 127.0.0.1, mail in a Maildir there), on a free port. The system's dovecot
 * service is neither used nor touched.
 */
export interface TestImap {
  url: string;
  user: string;
  password: string;
  port: number;
  /** A message arriving in the user's INBOX, as a mail server would deliver it. */
  deliver(raw: string | Buffer): Promise<void>;
  /** The INBOX's messages and whether each is \Seen. */
  inbox(): Promise<Array<{ uid: number; seen: boolean; subject: string }>>;
  stop(): Promise<void>;
}

/** The dovecot user's uid and gid, from /etc/passwd. */
function dovecotUser(): { uid: number; gid: number } {
  const line = fs.readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('dovecot:'));
  if (!line) throw new Error('no dovecot user: install Debian\'s dovecot-imapd (apt-get install dovecot-imapd)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const DOVECOT = ['/usr/sbin/dovecot', '/usr/bin/dovecot'].find((p) => fs.existsSync(p)) ?? 'dovecot';

export async function startImap(): Promise<TestImap> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ardesk-imap-'));
  const port = await freePort();
  const user = 'ar';
  const password = 'inbound-test-password';
  const me = os.userInfo();
  // Dovecot never keeps mail as root: as root, the mail belongs to its own unprivileged user
  // (Debian creates dovecot and dovenull with the package), which also runs its internal and
  // login processes; as anyone else, that user runs everything.
  const root = me.uid === 0;
  const owner = root ? dovecotUser() : me;
  const { uid, gid, username } = { uid: owner.uid, gid: owner.gid, username: me.username };
  for (const sub of ['run', 'state', 'mail']) fs.mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o755 });
  fs.chmodSync(dir, 0o755);
  if (root) fs.chownSync(path.join(dir, 'mail'), uid, gid);
  fs.writeFileSync(path.join(dir, 'users'), `${user}:{PLAIN}${password}:${uid}:${gid}::${path.join(dir, 'mail', user)}\n`);
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
first_valid_uid = ${uid}
last_valid_uid = ${uid}
first_valid_gid = ${gid}
default_internal_user = ${root ? 'dovecot' : username}
default_internal_group = ${root ? 'dovecot' : username}
default_login_user = ${root ? 'dovenull' : username}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = passwd-file
  args = username_format=%u ${dir}/users
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`;
  fs.writeFileSync(path.join(dir, 'dovecot.conf'), config);
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let exited = false;
  child.on('exit', () => (exited = true));
  const log = () => `${output}\n${fs.existsSync(path.join(dir, 'dovecot.log')) ? fs.readFileSync(path.join(dir, 'dovecot.log'), 'utf8') : ''}`;

  const client = () => new ImapFlow({ host: '127.0.0.1', port, secure: false, auth: { user, pass: password }, logger: false, connectionTimeout: 5000 });
  const withClient = async <T>(work: (c: ImapFlow) => Promise<T>): Promise<T> => {
    const c = client();
    c.on('error', () => undefined);
    try {
      await c.connect();
    } catch (error) {
      c.close();
      throw error;
    }
    try {
      return await work(c);
    } finally {
      await c.logout().catch(() => undefined);
      c.close();
    }
  };
  try {
    await until('dovecot to answer on its port', async () => {
      if (exited) throw new Error(`dovecot exited:\n${log()}`);
      try {
        await withClient(async () => undefined);
        return true;
      } catch {
        return false;
      }
    }, 15_000);
  } catch (error) {
    child.kill('SIGKILL');
    throw new Error(`${(error as Error).message}\n${log()}`, { cause: error });
  }
  return {
    url: `imap://${user}:${password}@127.0.0.1:${port}/INBOX`,
    user,
    password,
    port,
    deliver: (raw) => withClient(async (c) => void (await c.append('INBOX', raw))),
    inbox: () =>
      withClient(async (c) => {
        const lock = await c.getMailboxLock('INBOX');
        try {
          const found: Array<{ uid: number; seen: boolean; subject: string }> = [];
          for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true })) found.push({ uid: m.uid, seen: m.flags?.has('\\Seen') ?? false, subject: m.envelope?.subject ?? '' });
          return found;
        } catch {
          return [];
        } finally {
          lock.release();
        }
      }),
    async stop() {
      if (!exited) {
        const gone = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (!exited) child.kill('SIGKILL');
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

import { BODY_MAX_CHARS, failedRecipients, readInboundMail } from './inbound-mail';

const mail = (headers: string[], body = 'Hello') => Buffer.from([...headers, '', body, ''].join('\r\n'));

describe('reading a message that came in', () => {
  it('tells a person\'s reply from an automatic one (RFC 3834 and the common headers)', async () => {
    const base = ['From: Ann <ann@acme.test>', 'To: replies+1.2.ab@in.test', 'Subject: Re: invoice'];
    expect((await readInboundMail(mail(base))).nature).toBe('reply');
    expect((await readInboundMail(mail([...base, 'Auto-Submitted: no']))).nature).toBe('reply');
    for (const header of ['Auto-Submitted: auto-replied', 'Auto-Submitted: auto-generated', 'X-Autoreply: yes', 'X-Autorespond: vacation', 'Precedence: auto_reply', 'Precedence: bulk']) {
      expect((await readInboundMail(mail([...base, header]))).nature).toBe('auto_reply');
    }
  });

  it('collects who it was for and what it answers, and cuts the text to size', async () => {
    const read = await readInboundMail(mail(['From: ann@acme.test', 'To: A <a@x.test>, b@x.test', 'Cc: c@x.test', 'Delivered-To: D@X.test', 'Subject: s', 'Message-ID: <m1@acme.test>', 'In-Reply-To: <one@x.test>', 'References: <zero@x.test> <one@x.test>'], 'x'.repeat(BODY_MAX_CHARS + 50)));
    expect(read.recipients.sort()).toEqual(['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test']);
    expect(read.answers.sort()).toEqual(['<one@x.test>', '<zero@x.test>']);
    expect(read.messageId).toBe('<m1@acme.test>');
    expect(read.text.length).toBe(BODY_MAX_CHARS + 1);
  });

  it('reads a delivery status notification\'s failed recipients (RFC 3464), not its delayed ones', () => {
    const status = ['Reporting-MTA: dns; mx.test', '', 'Final-Recipient: rfc822; AP@Acme.test', 'Action: failed', 'Status: 5.1.1', '', 'Final-Recipient: rfc822;late@acme.test', 'Action: delayed', 'Status: 4.4.1', '', 'Original-Recipient: rfc822;<old@acme.test>', 'Action: failed', 'Status: 5.0.0'].join('\r\n');
    expect(failedRecipients(status)).toEqual([
      { address: 'ap@acme.test', status: '5.1.1' },
      { address: 'old@acme.test', status: '5.0.0' },
    ]);
  });

  it('takes a multipart/report as a bounce, with the Message-ID of what bounced', async () => {
    const raw = mail(
      ['From: MAILER-DAEMON@mx.test', 'To: replies+1.2.ab@in.test', 'Subject: Undelivered', 'MIME-Version: 1.0', 'Content-Type: multipart/report; report-type=delivery-status; boundary="B"'],
      ['--B', 'Content-Type: text/plain', '', 'Could not deliver.', '--B', 'Content-Type: message/delivery-status', '', 'Reporting-MTA: dns; mx.test', '', 'Final-Recipient: rfc822; ap@acme.test', 'Action: failed', 'Status: 5.1.1', '', '--B', 'Content-Type: text/rfc822-headers', '', 'Message-ID: <abc@harbor.test>', 'Subject: Reminder', '', '--B--'].join('\r\n'),
    );
    const read = await readInboundMail(raw);
    expect(read).toMatchObject({ nature: 'bounce', failed: [{ address: 'ap@acme.test', status: '5.1.1' }], answers: ['<abc@harbor.test>'] });
    expect(read.text).toContain('Could not deliver.');
  });
});

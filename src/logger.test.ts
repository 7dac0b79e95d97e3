import { Writable } from 'node:stream';
import { createLogger, scrubUrl } from './logger';

describe('the logger', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, stream: new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }) };
  };

  it('never writes a configured secret, wherever it appears in a line', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'info', destination: stream, secrets: ['s3cr3t-value.with+regex(chars)', 'short'] });
    logger.info({ url: 'smtp://user:s3cr3t-value.with+regex(chars)@mail.example' }, 'connecting');
    logger.error({ err: new Error('refused: s3cr3t-value.with+regex(chars)') }, 'failed');
    const out = lines.join('');
    expect(out).not.toContain('s3cr3t-value');
    expect(out.match(/\[redacted\]/g)!.length).toBeGreaterThanOrEqual(3); // the URL, the message and its stack
    expect(out).toContain('connecting'); // shorter than 6 characters: not treated as a secret
  });

  it('redacts token fields by name', () => {
    const { lines, stream } = capture();
    createLogger({ destination: stream }).info({ tokens: { accessToken: 'abc' }, refresh_token: 'def', headers: { authorization: 'Bearer x' } }, 'tokens');
    const out = lines.join('');
    expect(out).not.toMatch(/abc|def|Bearer x/);
  });

  it('writes no email address, wherever it appears in a line', () => {
    const { lines, stream } = capture();
    const logger = createLogger({ level: 'info', destination: stream });
    logger.warn({ to: 'Dana <dana.payer+ar@customer.co.uk>', err: new Error('550 5.1.1 <ap@acme-builders.test>: Recipient address rejected') }, 'refused: bob@example.com');
    const out = lines.join('');
    expect(out).not.toMatch(/dana\.payer|customer\.co\.uk|ap@acme|acme-builders\.test|bob@example/);
    expect(out.match(/\[email address\]/g)!.length).toBeGreaterThanOrEqual(4); // the field, the message and its stack, the line's own message
    expect(out).toContain('Recipient address rejected');
  });

  it('keeps a customer link\'s signed token out of the request line', () => {
    expect(scrubUrl('/c/answer/v1.eyJw.c2ln?answer=problem')).toBe('/c/answer/[redacted]?answer=problem');
    expect(scrubUrl('/c/statement/v1.eyJw.c2ln/invoices/12/pdf')).toBe('/c/statement/[redacted]/invoices/12/pdf');
    expect(scrubUrl('/companies/1/customers/c/answer/x')).toBe('/companies/1/customers/c/answer/x');
  });
});

import { createHash } from 'node:crypto';
import { digestOf, manifestOf } from './sent-copy';

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('the sent copy\'s SHA-256', () => {
  const email = { subject: 'Invoice 1001', html: '<p>Hello</p>', text: 'Hello', letter: null, pdf: null };

  it('without attachments is the SHA-256 of the manifest it always was (copies kept before attachments keep their digest)', () => {
    const { parts, sha256: digest } = digestOf(email);
    expect(parts).toEqual({ subject: sha256('Invoice 1001'), text: sha256('Hello'), html: sha256('<p>Hello</p>') });
    expect(digest).toBe(sha256(`subject ${sha256('Invoice 1001')}\ntext ${sha256('Hello')}\nhtml ${sha256('<p>Hello</p>')}\n`));
    expect(digestOf({ ...email, attachments: [] }).sha256).toBe(digest);
  });

  it('covers each attachment\'s bytes, in the order attached, after the body parts', () => {
    const first = Buffer.from('%PDF-1 first');
    const second = Buffer.from('%PDF-1 second');
    const attachments = [
      { filename: 'invoice-1001.pdf', contentType: 'application/pdf', content: first },
      { filename: 'invoice-1002.pdf', contentType: 'application/pdf', content: second },
    ];
    const { parts, sha256: digest } = digestOf({ ...email, attachments });
    expect(parts['attachment.1']).toBe(sha256(first));
    expect(parts['attachment.2']).toBe(sha256(second));
    expect(manifestOf(parts).split('\n').map((line) => line.split(' ')[0])).toEqual(['subject', 'text', 'html', 'attachment.1', 'attachment.2', '']);
    expect(digest).toBe(sha256(manifestOf(parts)));
    expect(digest).not.toBe(digestOf(email).sha256);
    // One byte changed, or the order swapped: another digest.
    expect(digestOf({ ...email, attachments: [attachments[0]!, { ...attachments[1]!, content: Buffer.from('%PDF-1 secont') }] }).sha256).not.toBe(digest);
    expect(digestOf({ ...email, attachments: [attachments[1]!, attachments[0]!] }).sha256).not.toBe(digest);
  });

  it('orders attachments by number, not as text (attachment.10 after attachment.9), whatever order the stored parts come in', () => {
    const parts: Record<string, string> = { 'attachment.10': 'b'.repeat(64), subject: 'a'.repeat(64), 'attachment.9': 'c'.repeat(64) };
    expect(manifestOf(parts)).toBe(`subject ${'a'.repeat(64)}\nattachment.9 ${'c'.repeat(64)}\nattachment.10 ${'b'.repeat(64)}\n`);
  });
});

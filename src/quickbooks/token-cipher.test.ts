import { TokenCipher } from './token-cipher';

const k1 = { id: 'k1', key: Buffer.alloc(32, 1) };
const k2 = { id: 'k2', key: Buffer.alloc(32, 2) };

describe('TokenCipher', () => {
  it('round-trips, with a fresh IV each time, and never contains the plaintext', () => {
    const cipher = new TokenCipher([k1]);
    const a = cipher.encrypt('refresh-token-value', '123');
    const b = cipher.encrypt('refresh-token-value', '123');
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh-token-value');
    expect(a.startsWith('v1.k1.')).toBe(true);
    expect(cipher.decrypt(a, '123')).toBe('refresh-token-value');
  });

  it('decrypts with an older key after rotation and encrypts with the newest', () => {
    const old = new TokenCipher([k1]).encrypt('secret', '123');
    const rotated = new TokenCipher([k2, k1]);
    expect(rotated.decrypt(old, '123')).toBe('secret');
    expect(rotated.isStale(old)).toBe(true);
    expect(rotated.encrypt('secret', '123').startsWith('v1.k2.')).toBe(true);
  });

  it('refuses a ciphertext moved to another company, tampered with, or made with a key no longer configured', () => {
    const cipher = new TokenCipher([k1]);
    const sealed = cipher.encrypt('secret', '123');
    expect(() => cipher.decrypt(sealed, '456')).toThrow();
    const parts = sealed.split('.');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'), '123')).toThrow();
    expect(() => new TokenCipher([k2]).decrypt(sealed, '123')).toThrow('encrypted with key "k1", which TOKEN_ENCRYPTION_KEY no longer lists');
  });
});

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { EncryptionKey } from '../config';

/**
 * AES-256-GCM for tokens at rest. A ciphertext reads `v1.<keyId>.<iv>.<tag>.<data>` (base64url),
 * so keys can rotate: the first configured key encrypts, any configured key decrypts. The realm id
 * is bound as additional data, so a ciphertext copied to another company's row does not decrypt.
 */
export class TokenCipher {
  constructor(private readonly keys: readonly EncryptionKey[]) {
    if (keys.length === 0) throw new Error('TokenCipher needs at least one key');
  }

  encrypt(plaintext: string, realmId: string): string {
    const { id, key } = this.keys[0]!;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(Buffer.from(realmId));
    const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return ['v1', id, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
  }

  decrypt(ciphertext: string, realmId: string): string {
    const [version, keyId, iv, tag, data] = ciphertext.split('.');
    if (version !== 'v1' || !keyId || !iv || !tag || data === undefined) throw new Error('Stored token is not in the expected format');
    const key = this.keys.find((k) => k.id === keyId);
    if (!key) throw new Error(`Stored token was encrypted with key "${keyId}", which TOKEN_ENCRYPTION_KEY no longer lists`);
    const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(realmId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Whether a ciphertext was made with an older key and should be re-encrypted. */
  isStale(ciphertext: string): boolean {
    return ciphertext.split('.')[1] !== this.keys[0]!.id;
  }
}

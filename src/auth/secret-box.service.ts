import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { readOrCreateSecretFile } from '../common/secret-file';

const PREFIX = 'v1:';

/**
 * Encrypts backend secrets at rest with AES-256-GCM. The key comes from LLMLB_SECRET_KEY
 * (hashed to 32 bytes) or from `<data dir>/secret.key` (32 random bytes, created 0600).
 * Stored form: `v1:` + base64(iv | tag | ciphertext).
 */
@Injectable()
export class SecretBoxService {
  private readonly key: Buffer;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    if (config.auth.secretKey) {
      this.key = createHash('sha256').update(config.auth.secretKey).digest();
    } else {
      const { value } = readOrCreateSecretFile(join(config.server.dataDir, 'secret.key'), () =>
        randomBytes(32).toString('base64'),
      );
      this.key = Buffer.from(value, 'base64');
    }
  }

  encrypt(plaintext: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return PREFIX + Buffer.concat([iv, cipher.getAuthTag(), ct]).toString('base64');
  }

  decrypt(stored: string): string {
    if (!stored.startsWith(PREFIX)) throw new Error('Unknown secret format');
    const raw = Buffer.from(stored.slice(PREFIX.length), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}

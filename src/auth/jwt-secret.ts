import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { readOrCreateSecretFile } from '../common/secret-file';

/** LLMLB_JWT_SECRET, else 32 random bytes kept in `<data dir>/jwt-secret` (0600). */
export function resolveJwtSecret(config: AppConfig): string {
  if (config.auth.jwtSecret) return config.auth.jwtSecret;
  return readOrCreateSecretFile(join(config.server.dataDir, 'jwt-secret'), () =>
    randomBytes(32).toString('hex'),
  ).value;
}

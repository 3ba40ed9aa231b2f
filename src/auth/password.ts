import { Worker } from 'node:worker_threads';
import { hash, verify } from '@node-rs/argon2';
import { Semaphore } from '../common/semaphore';

/**
 * Password hashing, always off the event loop: argon2id (`@node-rs/argon2`, computed on the
 * libuv thread pool) for new hashes; hashes from earlier versions (bcryptjs, `$2a$`/`$2b$`)
 * are still verified, in a worker thread, and replaced by argon2id at the next login
 * (`needsRehash`). At most HASH_CONCURRENCY hashes run at once, so a login flood queues
 * instead of taking every thread the rest of the server needs.
 */
const HASH_CONCURRENCY = 2;
const hashing = new Semaphore(HASH_CONCURRENCY);

/** argon2id, m=19 MiB, t=2, p=1 (the OWASP baseline). */
const ARGON2 = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

let dummyHash: Promise<string> | undefined;
/** A hash of a random string: compared against when the user does not exist, so that
 * unknown users and wrong passwords take the same time. */
function dummy(): Promise<string> {
  dummyHash ??= hash('llmlb-dummy-password-for-timing', ARGON2);
  return dummyHash;
}

export function hashPassword(password: string): Promise<string> {
  return hashing.run(() => hash(password, ARGON2));
}

export async function verifyPassword(password: string, stored: string | null): Promise<boolean> {
  const target = stored ?? (await dummy());
  const ok = await hashing.run(() =>
    isBcrypt(target) ? bcryptCompareInWorker(password, target) : argon2Verify(target, password),
  );
  return ok && stored !== null;
}

/** Whether a stored hash should be replaced by a fresh argon2id one after a good login. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith('$argon2id$');
}

function isBcrypt(stored: string): boolean {
  return /^\$2[abxy]\$/.test(stored);
}

async function argon2Verify(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password);
  } catch {
    return false; // not a hash this build understands
  }
}

const BCRYPT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const bcrypt = require(workerData.module);
parentPort.postMessage(bcrypt.compareSync(workerData.password, workerData.hash));
`;

/** bcryptjs is plain JavaScript: a compare would block the event loop for ~100 ms. */
function bcryptCompareInWorker(password: string, stored: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(BCRYPT_WORKER, {
      eval: true,
      workerData: { module: require.resolve('bcryptjs'), password, hash: stored },
    });
    worker.once('message', (ok: unknown) => resolve(ok === true));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (code !== 0) reject(new Error(`bcrypt worker exited with ${code}`));
    });
  });
}

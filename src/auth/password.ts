import bcrypt from 'bcryptjs';

const COST = 10;
/** A hash of a random string: compared against when the user does not exist, so that
 * unknown users and wrong passwords take the same time. */
const DUMMY_HASH = bcrypt.hashSync('llmlb-dummy-password-for-timing', COST);

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, COST);
}

export function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  return bcrypt.compare(password, hash ?? DUMMY_HASH).then((ok) => ok && hash !== null);
}

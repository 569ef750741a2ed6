// Password hashes for `http.auth.users`: bcrypt (bcryptjs), checked in the same time whether or
// not the account exists, so response times do not reveal which names are valid.
import { compare, hash } from 'bcryptjs';

/** bcrypt's cost factor for new hashes (2^10 rounds, about 50-100 ms here). */
export const BCRYPT_COST = 10;

// A hash of a random string, compared against when the account does not exist.
const DUMMY_HASH = '$2b$10$CwTycUXWue0Thq9StjUM0uJ8.ZpGqN6Z6FzZKqJ0b5E1bX4nq7Hc6';

export function hashPassword(password: string, cost = BCRYPT_COST): Promise<string> {
  return hash(password, cost);
}

/** True when `password` matches `passwordHash`; with no hash, spends the same time and says no. */
export async function verifyPassword(password: string, passwordHash: string | undefined): Promise<boolean> {
  try {
    const ok = await compare(password, passwordHash ?? DUMMY_HASH);
    return passwordHash !== undefined && ok;
  } catch {
    return false;
  }
}

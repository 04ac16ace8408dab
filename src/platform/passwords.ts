/**
 * Password hashing with Bun.password (argon2id). Each hash costs ~64 MiB and ~100 ms of CPU, so
 * hashes run through a small queue: a flood of logins waits its turn instead of starving every
 * other request of CPU and memory.
 */

export interface PasswordCost {
  memoryCost: number;
  timeCost: number;
}

/** Bun's argon2id defaults. Tests use a far cheaper cost; production never does. */
export const PRODUCTION_PASSWORD_COST: PasswordCost = { memoryCost: 65536, timeCost: 2 };
export const TEST_PASSWORD_COST: PasswordCost = { memoryCost: 256, timeCost: 1 };

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
  /** Spends the same work as a real check, for accounts that do not exist. */
  verifyAgainstDummy(password: string): Promise<false>;
}

export function createPasswordHasher(cost: PasswordCost, maxConcurrent = 2): PasswordHasher {
  const limit = createLimiter(maxConcurrent);
  const options = { algorithm: "argon2id" as const, ...cost };
  let dummyHash: Promise<string> | null = null;

  const hash = (password: string) => limit(() => Bun.password.hash(password, options));
  const verify = (password: string, stored: string) =>
    limit(() => Bun.password.verify(password, stored).catch(() => false));
  return {
    hash,
    verify,
    async verifyAgainstDummy(password) {
      dummyHash ??= hash(crypto.randomUUID());
      await verify(password, await dummyHash);
      return false;
    },
  };
}

/** Runs at most `max` tasks at once; the rest wait in arrival order. */
function createLimiter(max: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => {
    if (running < max) {
      running += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  // A finished task hands its slot straight to the next waiter, so no newcomer can jump the queue.
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running -= 1;
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    await acquire();
    try {
      return await task();
    } finally {
      release();
    }
  };
}

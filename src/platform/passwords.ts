import { AppError } from "./errors";

/**
 * Password hashing with Bun.password (argon2id). Each hash costs ~64 MiB and ~100 ms of CPU, so
 * hashes run through a small queue: a flood of logins waits its turn instead of starving every
 * other request of CPU and memory.
 *
 * Bun runs these hashes on the same small thread pool (one thread per core) as crypto.subtle,
 * which verifies every access token. With every pool thread hashing, each authenticated request
 * waited ~120 ms for a thread (measured with bench/login-flood.ts), so one core is always left
 * free of hashing.
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

/** At most two hashes at once, and never on every core. */
export const DEFAULT_MAX_CONCURRENT_HASHES = Math.max(
  1,
  Math.min(2, (navigator.hardwareConcurrency || 1) - 1),
);
/**
 * Waiting logins hold their connections, which slows a flooding client down to the hasher's pace
 * (a refused one would come straight back). The cap only bounds the memory a huge flood can tie
 * up; past it a login is refused at once with 503.
 */
export const MAX_WAITING_HASHES = 256;

export class HasherBusy extends AppError {
  constructor() {
    super(
      503,
      "service_unavailable",
      "Too many sign-ins in progress; try again shortly",
      undefined,
      {
        "retry-after": "1",
      },
    );
  }
}

export function createPasswordHasher(
  cost: PasswordCost,
  maxConcurrent = DEFAULT_MAX_CONCURRENT_HASHES,
  maxWaiting = MAX_WAITING_HASHES,
): PasswordHasher {
  const limit = createLimiter(maxConcurrent, maxWaiting);
  const options = { algorithm: "argon2id" as const, ...cost };
  let dummyHash: Promise<string> | null = null;

  const hash = (password: string) => limit(() => Bun.password.hash(password, options));
  const verify = (password: string, stored: string) =>
    limit(() => Bun.password.verify(password, stored).catch(() => false));
  return {
    hash,
    verify,
    async verifyAgainstDummy(password) {
      // A refused first attempt (queue full) must not leave a rejected promise here for good.
      dummyHash ??= hash(crypto.randomUUID()).catch((error: unknown) => {
        dummyHash = null;
        throw error;
      });
      await verify(password, await dummyHash);
      return false;
    },
  };
}

/** Runs at most `max` tasks at once; up to `maxWaiting` more wait in arrival order. */
function createLimiter(max: number, maxWaiting: number) {
  let running = 0;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => {
    if (running < max) {
      running += 1;
      return Promise.resolve();
    }
    if (waiting.length >= maxWaiting) return Promise.reject(new HasherBusy());
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

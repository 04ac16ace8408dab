/**
 * Limits and conditional writes across two instances: the per-account login failure budget and
 * the global rate limit count A's and B's requests together, and of two `If-Match` writes of one
 * version through A and B, exactly one wins.
 */
import { expect, test } from "bun:test";
import {
  type Account,
  type Answer,
  AUTH_RATE_LIMIT_MAX,
  createAccount,
  type Instance,
  ok,
  RATE_LIMIT_MAX,
  randomAddress,
  signIn,
} from "./instance-pair";
import type { PairContext } from "./multi-instance";

const TIMEOUT = 60_000;
/** API.md: an account takes AUTH_RATE_LIMIT_MAX failed sign-ins (at least 10) per 15 minutes. */
const ACCOUNT_BUDGET = Math.max(AUTH_RATE_LIMIT_MAX, 10);
const SPENT = "Too many failed attempts for this account; try again later";
const ROUNDS = 10;

interface Outcome {
  status: number;
  detail?: string;
  retryAfter: boolean;
}

export function limitChecks(pair: () => PairContext): void {
  test(
    "failed sign-ins spread over A and B lock the account exactly when as many through one instance do",
    async () => {
      const { a, b, binary, env } = pair();
      const [spread, single] = await Promise.all([
        createAccount(binary, env, "budget_spread"),
        createAccount(binary, env, "budget_single"),
      ]);
      // Each attempt from an address of its own: only the account's budget can refuse it.
      const throughBoth = await spendBudget(spread, (i) => (i % 2 === 0 ? a : b), [a, b]);
      const throughA = await spendBudget(single, () => a, [a, b]);
      const expected: Outcome[] = [
        ...Array<Outcome>(ACCOUNT_BUDGET).fill({
          status: 401,
          detail: "Incorrect email or password",
          retryAfter: false,
        }),
        // One more wrong password, then the right one on each instance: all refused alike.
        ...Array<Outcome>(3).fill({ status: 429, detail: SPENT, retryAfter: true }),
      ];
      expect(throughA).toEqual(expected);
      expect(throughBoth).toEqual(expected);
    },
    TIMEOUT,
  );

  test(
    "wrong passwords sent at once through A and B: exactly the budget's worth are checked",
    async () => {
      const { a, b, binary, env } = pair();
      const account = await createAccount(binary, env, "budget_burst");
      const answers = await Promise.all(
        Array.from({ length: 2 * ACCOUNT_BUDGET }, (_, i) =>
          login(i % 2 === 0 ? a : b, account, "Wrong-password-0"),
        ),
      );
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([
        ...Array<number>(ACCOUNT_BUDGET).fill(401),
        ...Array<number>(ACCOUNT_BUDGET).fill(429),
      ]);
      for (const instance of [a, b]) {
        expect(outcomeOf(await login(instance, account, account.password))).toEqual({
          status: 429,
          detail: SPENT,
          retryAfter: true,
        });
      }
    },
    TIMEOUT,
  );

  test(
    "the global rate limit counts one address's requests to A and B together",
    async () => {
      const { a, b, binary, env } = pair();
      const account = await createAccount(binary, env, "rate_limited");
      const { access: token } = await signIn(a, account);
      const address = randomAddress();
      const statuses: number[] = [];
      for (let i = 0; i < RATE_LIMIT_MAX; i++) {
        const answer = await (i % 2 === 0 ? a : b).call("GET", "/users/me", { token, address });
        statuses.push(answer.status);
        expect(answer.headers.get("ratelimit-remaining")).toBe(String(RATE_LIMIT_MAX - i - 1));
      }
      expect(statuses).toEqual(Array<number>(RATE_LIMIT_MAX).fill(200));
      for (const instance of [a, b]) {
        const refused = await instance.call("GET", "/users/me", { token, address });
        expect(refused.status).toBe(429);
        expect(refused.body.code).toBe("too_many_requests");
        expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      // Another address is not held back by this one's requests.
      expect((await b.call("GET", "/users/me", { token })).status).toBe(200);
    },
    TIMEOUT,
  );

  test(
    `${ROUNDS} rounds of the same If-Match write through A and B at once: one 200 and one 412 each`,
    async () => {
      const { a, b, binary, env } = pair();
      const account = await createAccount(binary, env, "if_match");
      const { access: token } = await signIn(b, account);
      const created = await ok(
        a.call("POST", "/tasks", { token, body: { title: "Contested" } }),
        "task",
      );
      const path = `/tasks/${created.body.id}`;
      let wins = 0;
      let lastWinner = "";
      for (let round = 0; round < ROUNDS; round++) {
        const current = await ok((round % 2 === 0 ? a : b).call("GET", path, { token }), "read");
        const etag = current.headers.get("etag") ?? "";
        expect(etag).not.toBe("");
        const answers = await Promise.all(
          [a, b].map((instance) =>
            instance.call("PATCH", path, {
              token,
              headers: { "if-match": etag },
              body: { title: `Round ${round} by ${instance.name}` },
            }),
          ),
        );
        expect(answers.map((answer) => answer.status).sort()).toEqual([200, 412]);
        const winner = answers.find((answer) => answer.status === 200) as Answer;
        const loser = answers.find((answer) => answer.status === 412) as Answer;
        expect(loser.body.code).toBe("precondition_failed");
        expect(winner.body.version).toBe(current.body.version + 1);
        wins += answers.filter((answer) => answer.status === 200).length;
        lastWinner = winner.body.title;
      }
      for (const instance of [a, b]) {
        const final = await ok(instance.call("GET", path, { token }), "final read");
        expect(final.body.version).toBe(wins + 1);
        expect(final.body.title).toBe(lastWinner);
      }
    },
    TIMEOUT,
  );
}

function login(instance: Instance, account: Account, password: string): Promise<Answer> {
  return instance.call("POST", "/auth/login", { body: { username: account.username, password } });
}

function outcomeOf(answer: Answer): Outcome {
  return {
    status: answer.status,
    detail: answer.body?.detail,
    retryAfter: answer.headers.has("retry-after"),
  };
}

/**
 * The budget's worth of wrong passwords one after another, through `via(i)`; then one more wrong
 * one and the right one through each of `then`.
 */
async function spendBudget(
  account: Account,
  via: (i: number) => Instance,
  then: Instance[],
): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (let i = 0; i < ACCOUNT_BUDGET; i++) {
    outcomes.push(outcomeOf(await login(via(i), account, `Wrong-password-${i}`)));
  }
  outcomes.push(outcomeOf(await login(via(ACCOUNT_BUDGET), account, "Wrong-password-x")));
  for (const instance of then)
    outcomes.push(outcomeOf(await login(instance, account, account.password)));
  return outcomes;
}

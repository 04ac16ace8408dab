import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { ScratchDatabase } from "./backends";
import { addMember, createBoard, createCard, createList } from "./boards";
import { createUser, expectProblem, type TestUser, userValues } from "./factories";
import {
  anAddress,
  createKanbunDatabase,
  type Instance,
  type InstanceOptions,
  openInstance,
} from "./instances";
import { isEvent, type TestSocket } from "./live";

/**
 * What two instances on one database must agree on, whichever store they share it through
 * (PostgreSQL alone, or with Redis): `env` selects it. Run by test/postgres/instances.pg.ts and
 * test/redis/instances.redis.ts.
 */
export function describeInstancesContract(
  name: string,
  store: "database" | "redis",
  env: () => Record<string, string>,
  prepare: () => Promise<void> = async () => {},
) {
  describe(`two instances, ${name}`, () => {
    let database: ScratchDatabase;
    const opened: Instance[] = [];
    const open = async (extra: Record<string, string> = {}, options: InstanceOptions = {}) => {
      const instance = await openInstance(database.url, { ...env(), ...extra }, options);
      opened.push(instance);
      return instance;
    };

    beforeAll(async () => {
      await prepare();
      database = await createKanbunDatabase();
    });
    afterEach(async () => {
      for (const instance of opened.splice(0)) await instance.close();
    });
    afterAll(async () => {
      await database.drop();
    });

    const budgetEnv = { RATE_LIMIT_MAX: "0", AUTH_RATE_LIMIT_MAX: "10", AUTH_BAN_THRESHOLD: "0" };
    const login = (instance: Instance, email: string, password: string) =>
      instance.request("/api/v1/auth/login", { body: { email, password } });

    test("the login budget holds across A and B: ten failures through both lock the account", async () => {
      const a = await open(budgetEnv);
      const b = await open(budgetEnv);
      expect([a.deps.shared.store, b.deps.shared.store]).toEqual([store, store]);
      const values = userValues();
      await createUser(a, values);
      for (let i = 0; i < 10; i++) {
        expect((await login(i % 2 ? b : a, values.email, "Wrong-password-1")).status).toBe(401);
      }
      for (const instance of [a, b]) {
        const locked = await login(instance, values.email, values.password);
        const body = await expectProblem(locked, 429, "too_many_requests");
        expect(body.detail).toBe("Too many failed attempts for this account; try again later");
      }
    });

    test("the login budget holds for attempts at once: 40 wrong guesses through A and B, no more than 10 checked", async () => {
      const a = await open(budgetEnv);
      const b = await open(budgetEnv);
      const values = userValues();
      await createUser(b, values);
      const statuses = await Promise.all(
        Array.from({ length: 40 }, async (_, i) => {
          const response = await login(i % 2 ? b : a, values.email, "Wrong-password-1");
          return response.status;
        }),
      );
      const checked = statuses.filter((status) => status === 401).length;
      expect(checked).toBeGreaterThan(0);
      expect(checked).toBeLessThanOrEqual(10);
      expect(statuses.filter((status) => status === 429)).toHaveLength(40 - checked);
      // Whatever the burst left of the budget is spent by guesses one at a time: ten in all.
      let failures = checked;
      for (let i = 0; i < 20; i++) {
        const response = await login(i % 2 ? a : b, values.email, "Wrong-password-1");
        if (response.status === 401) failures += 1;
        else {
          const body = await expectProblem(response, 429, "too_many_requests");
          if (body.detail?.startsWith("Too many failed attempts")) break;
          await Bun.sleep(1000);
        }
      }
      expect(failures).toBe(10);
    });

    test("the global rate limit counts the requests of both", async () => {
      const limits = { RATE_LIMIT_MAX: "5", AUTH_RATE_LIMIT_MAX: "0", AUTH_BAN_THRESHOLD: "0" };
      const a = await open(limits);
      const b = await open(limits);
      const from = { "x-forwarded-for": anAddress() };
      const statuses: number[] = [];
      for (const instance of [a, b, a, b, a, b, a]) {
        statuses.push((await instance.request("/api/v1/tasks", { headers: from })).status);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
      // Another address has a window of its own.
      expect((await b.request("/api/v1/tasks")).status).toBe(401);
    });

    /** A board of `owner`'s with `watcher` as a member, and the watcher's socket on `on`. */
    async function watchedBoard(a: Instance, on: Instance) {
      const owner = await createUser(a);
      const watcher = await createUser(a);
      const board = await createBoard(a, owner);
      await addMember(a, owner, board.id, watcher, "viewer");
      const list = await createList(a, owner, board.id);
      const socket = await on.connect(watcher.accessToken);
      await socket.next((message) => message.type === "ready");
      return { owner, watcher, board, list, socket };
    }

    const cardEvents = (socket: TestSocket) =>
      socket.messages.filter((message) => isEvent(message) && message.type === "task.created");

    test("a card created through A reaches a socket on B at once, in seq order, with the wake", async () => {
      const a = await open();
      const b = await open();
      const { owner, list, socket } = await watchedBoard(a, b);
      const lags: number[] = [];
      const seqs: number[] = [];
      // Spaced wider than the lag allowed: the one-second poll could deliver at most two of the
      // five within 400 ms of their creation, so only the wake delivers all of them that soon.
      for (let i = 0; i < 5; i++) {
        const card = await createCard(a, owner, list.id);
        const created = performance.now();
        const event = await socket.next(
          (message) => message.type === "task.created" && message.data?.id === card.id,
          2000,
        );
        lags.push(performance.now() - created);
        seqs.push(event.seq ?? 0);
        await Bun.sleep(450);
      }
      expect(lags.filter((lag) => lag >= 400)).toEqual([]);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
      // A burst arrives whole and in order too.
      const burst = await Promise.all(
        Array.from({ length: 6 }, () => createCard(a, owner, list.id)),
      );
      await socket.next((message) => message.data?.id === Math.max(...burst.map((c) => c.id)));
      await Bun.sleep(100);
      const delivered = cardEvents(socket).map((message) => message.seq ?? 0);
      expect(delivered).toHaveLength(11);
      expect(delivered).toEqual([...delivered].sort((x, y) => x - y));
      expect(new Set(delivered).size).toBe(11);
    });

    test("without the wake, B still delivers A's card within its one-second poll", async () => {
      const a = await open();
      const b = await open({}, { wake: false });
      const { owner, list, socket } = await watchedBoard(a, b);
      const card = await createCard(a, owner, list.id);
      const created = performance.now();
      await socket.next(
        (message) => message.type === "task.created" && message.data?.id === card.id,
        1800,
      );
      // The poll's second, with room for a busy machine.
      expect(performance.now() - created).toBeLessThan(1800);
    });

    test("a logout through A closes the session's socket on B", async () => {
      const a = await open();
      const b = await open();
      const user: TestUser = await createUser(a);
      const socket = await b.connect(user.accessToken);
      await socket.next((message) => message.type === "ready");
      const logout = await a.request("/api/v1/auth/logout", {
        token: user.accessToken,
        body: { refresh_token: user.refreshToken },
      });
      expect(logout.status).toBe(204);
      const closed = await Promise.race([socket.closed, Bun.sleep(800).then(() => null)]);
      expect(closed?.code).toBe(4001);
    });
  });
}

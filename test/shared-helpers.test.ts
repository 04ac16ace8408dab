import { describe, expect, test } from "bun:test";
import { hashOpaqueToken, newOpaqueToken } from "../src/modules/auth/opaque-tokens";
import { isUniqueViolation } from "../src/platform/db/errors";
import { users } from "../src/platform/db/tables";
import { createTestContext, UNTHROTTLED_ENV } from "./support/app";
import { expectProblem, userValues } from "./support/factories";
import { dbOf } from "./support/orm";

describe("isUniqueViolation", () => {
  test("knows a UNIQUE failure, as thrown by drizzle, from any other error", async () => {
    const ctx = await createTestContext();
    const row = {
      username: "dup",
      email: "dup@example.com",
      passwordHash: "x",
      createdAt: 0,
      updatedAt: 0,
    };
    await dbOf(ctx.deps).insert(users).values(row).run();
    let unique: unknown;
    try {
      await dbOf(ctx.deps).insert(users).values(row).run();
    } catch (error) {
      unique = error;
    }
    expect(isUniqueViolation(unique)).toBe(true);
    let other: unknown;
    try {
      await ctx.deps.sql.run("SELECT * FROM no_such_table");
    } catch (error) {
      other = error;
    }
    expect(other).toBeInstanceOf(Error);
    for (const value of [other, new Error("boom"), "UNIQUE constraint failed", null, undefined]) {
      expect(isUniqueViolation(value)).toBe(false);
    }
  });

  test("two sign-ups racing for one address: one wins, the other gets the usual 400", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const values = userValues();
    const responses = await Promise.all(
      [1, 2].map((n) =>
        ctx.request("/api/v1/auth/signup", {
          body: { ...values, username: `${values.username}_${n}` },
        }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([201, 400]);
    const loser = responses.find((response) => response.status === 400);
    if (!loser) throw new Error("no loser");
    const problem = await expectProblem(loser, 400, "bad_request");
    expect(problem.detail).toBe("Username or email already exists");
  });
});

describe("opaque tokens", () => {
  test("are 256 random bits, base64url, stored as their SHA-256", () => {
    const { token, hash } = newOpaqueToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(hash).toBe(new Bun.CryptoHasher("sha256").update(token).digest("hex"));
    expect(hashOpaqueToken(token)).toBe(hash);
    expect(newOpaqueToken().token).not.toBe(token);
  });
});

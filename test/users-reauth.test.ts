import { describe, expect, test } from "bun:test";
import { MAX_WRONG_PASSWORDS_PER_SESSION } from "../src/modules/users/reauth";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createUser, expectProblem, login, type TestUser } from "./support/factories";

type Attempt = (ctx: TestContext, user: TestUser, password: string) => Promise<Response>;

const attempts: Record<string, Attempt> = {
  "POST /users/me/password": (ctx, user, password) =>
    ctx.request("/api/v1/users/me/password", {
      token: user.accessToken,
      body: { current_password: password, new_password: "a brand new passphrase" },
    }),
  "PATCH /users/me (email)": (ctx, user, password) =>
    ctx.request("/api/v1/users/me", {
      method: "PATCH",
      token: user.accessToken,
      body: { email: `new-${user.username}@example.com`, current_password: password },
    }),
  "DELETE /users/me": (ctx, user, password) =>
    ctx.request("/api/v1/users/me", {
      method: "DELETE",
      token: user.accessToken,
      body: { password },
    }),
};

describe("a stolen access token cannot be used to guess the password", () => {
  for (const [name, attempt] of Object.entries(attempts)) {
    test(`${name}: wrong passwords are 400 until the limit, then the session is signed out`, async () => {
      const ctx = await createTestContext(UNTHROTTLED_ENV);
      const user = await createUser(ctx);
      const other = await login(ctx, user.email, user.password);

      for (let i = 1; i < MAX_WRONG_PASSWORDS_PER_SESSION; i++) {
        await expectProblem(await attempt(ctx, user, `wrong guess ${i}`), 400, "bad_request");
      }
      const last = await expectProblem(
        await attempt(ctx, user, "wrong again"),
        401,
        "unauthorized_error",
      );
      expect(last.detail).toContain("signed out");

      // The guessing session is gone, even with the right password now…
      await expectProblem(await attempt(ctx, user, user.password), 401, "unauthorized_error");
      await expectProblem(
        await ctx.request("/api/v1/users/me", { token: user.accessToken }),
        401,
        "unauthorized_error",
      );
      // …while the owner's other session and the account itself are untouched.
      const me = await ctx.request("/api/v1/users/me", { token: other.access_token });
      expect(me.status).toBe(200);
      expect((await login(ctx, user.email, user.password)).access_token).toBeTruthy();
    });
  }

  test("a right password clears the count", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const change = attempts["PATCH /users/me (email)"] as Attempt;
    for (let round = 0; round < 2; round++) {
      for (let i = 1; i < MAX_WRONG_PASSWORDS_PER_SESSION; i++) {
        await expectProblem(await change(ctx, user, "nope"), 400, "bad_request");
      }
      const ok = await ctx.request("/api/v1/users/me", {
        method: "PATCH",
        token: user.accessToken,
        body: { full_name: `Round ${round}`, current_password: user.password },
      });
      expect(ok.status).toBe(200);
    }
  });
});

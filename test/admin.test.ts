import { describe, expect, test } from "bun:test";
import { createUserWithRole, expectJsonBody, userRow } from "./support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { createUser, expectProblem } from "./support/factories";

const ADMIN = "/api/v1/admin";
const userPath = (id: number) => `${ADMIN}/users/${id}`;

async function insertBan(
  ctx: TestContext,
  ip: string,
  expiresInMs: number,
  reason = "too many failures",
) {
  const now = ctx.clock.now();
  return (
    (
      await ctx.deps.sql.get<{ id: number }>(
        "INSERT INTO bans (ip, reason, created_at, expires_at) VALUES (?, ?, ?, ?) RETURNING id",
        [ip, reason, now, now + expiresInMs],
      )
    )?.id ?? 0
  );
}

describe("access to admin routes", () => {
  const routes = (id: number): [string, string, unknown?][] => [
    ["GET", `${ADMIN}/users`],
    ["GET", userPath(id)],
    ["PATCH", userPath(id), { is_active: false }],
    ["DELETE", userPath(id)],
    ["GET", `${ADMIN}/bans`],
    ["DELETE", `${ADMIN}/bans/1`],
  ];

  test("a plain user gets 403 on every admin route, and nothing changes", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const user = await createUser(ctx);
    const target = await createUser(ctx);
    const banId = await insertBan(ctx, "203.0.113.9", 60_000);
    for (const [method, path, body] of routes(target.id)) {
      const problem = await expectProblem(
        await ctx.request(path.replace("/bans/1", `/bans/${banId}`), {
          method,
          body,
          token: user.accessToken,
        }),
        403,
        "forbidden_access",
      );
      expect(problem.detail).toBe("Your role does not allow this");
    }
    expect((await userRow(ctx, target.id))?.isActive).toBe(true);
    expect(await ctx.deps.sql.all("SELECT id FROM bans")).toHaveLength(1);
  });

  test("an anonymous caller gets 401 on every admin route, even with a bad body", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    for (const [method, path] of routes(1)) {
      const response = await ctx.request(path, {
        method,
        body: method === "PATCH" ? { x: 1 } : undefined,
      });
      await expectProblem(response, 401, "unauthorized_error");
      expect(response.headers.get("www-authenticate")).toBe("Bearer");
    }
  });

  test("the OpenAPI document tags the admin routes and describes them", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const doc = (await expectJsonBody(await ctx.request("/docs/json"))) as {
      paths: Record<
        string,
        Record<string, { tags?: string[]; summary?: string; responses: object }>
      >;
    };
    const ours = [`${ADMIN}/bans`, `${ADMIN}/bans/{id}`, `${ADMIN}/users`, `${ADMIN}/users/{id}`];
    const adminPaths = Object.entries(doc.paths).filter(([path]) => ours.includes(path));
    expect(adminPaths).toHaveLength(ours.length);
    for (const [, operations] of adminPaths) {
      for (const operation of Object.values(operations)) {
        expect(operation.tags).toEqual(["Admin"]);
        expect(operation.summary).toBeTruthy();
        expect(Object.keys(operation.responses)).toContain("403");
      }
    }
  });
});

describe("GET /admin/users", () => {
  test("lists users with their account state, paginated, and no secrets", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    const others = [await createUser(ctx), await createUser(ctx), await createUser(ctx)];
    const response = await ctx.request(`${ADMIN}/users?limit=2&offset=2`, {
      token: admin.accessToken,
    });
    expect(response.headers.get("x-total-count")).toBe("4");
    expect(response.headers.get("link")).toBe(
      [
        `<${ADMIN}/users?limit=2&offset=0>; rel="first"`,
        `<${ADMIN}/users?limit=2&offset=0>; rel="prev"`,
        `<${ADMIN}/users?limit=2&offset=2>; rel="last"`,
      ].join(", "),
    );
    const text = await response.clone().text();
    const page = (await expectJsonBody(response)) as Record<string, unknown>[];
    expect(page.map((user) => user.id)).toEqual([others[1]?.id, others[2]?.id]);
    expect(Object.keys(page[0] ?? {}).sort()).toEqual(
      [
        "created_at",
        "email",
        "email_notifications",
        "email_verified",
        "full_name",
        "id",
        "is_active",
        "last_login_at",
        "role",
        "updated_at",
        "username",
      ].sort(),
    );
    expect(page[0]).toMatchObject({ is_active: true, email_notifications: true, role: "user" });
    expect(text.toLowerCase()).not.toContain("password");
    expect(text).not.toContain("argon2");
  });

  test("q matches username, email or full name as a case-insensitive substring", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    const byName = await createUser(ctx, { username: "Zed_Marlow" });
    const byEmail = await createUser(ctx, { email: "captain.MARLOWE@ships.example" });
    const byFullName = await createUser(ctx, { full_name: "Philip Marlowe" });
    await createUser(ctx, { username: "someone_else" });
    const search = async (q: string) => {
      const response = await ctx.request(`${ADMIN}/users?q=${encodeURIComponent(q)}`, {
        token: admin.accessToken,
      });
      const total = response.headers.get("x-total-count");
      const ids = ((await expectJsonBody(response)) as { id: number }[]).map((user) => user.id);
      expect(total).toBe(String(ids.length));
      return ids;
    };
    expect(await search("mArLoW")).toEqual([byName.id, byEmail.id, byFullName.id]);
    expect(await search("marlowe")).toEqual([byEmail.id, byFullName.id]);
    expect(await search("nobody-has-this")).toEqual([]);
  });

  test("% and _ in q match themselves, not any text", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    const underscored = await createUser(ctx, { username: "a_b_c" });
    await createUser(ctx, { username: "axbxc" });
    const percent = await createUser(ctx, { full_name: "100% sure" });
    const ids = async (q: string) =>
      (
        (await expectJsonBody(
          await ctx.request(`${ADMIN}/users?q=${encodeURIComponent(q)}`, {
            token: admin.accessToken,
          }),
        )) as { id: number }[]
      ).map((user) => user.id);
    expect(await ids("a_b")).toEqual([underscored.id]);
    expect(await ids("%")).toEqual([percent.id]);
    expect(await ids("0% s")).toEqual([percent.id]);
    expect(await ids("\\")).toEqual([]);
  });

  test.each(["limit=0", "limit=201", "limit=abc", "offset=-1", "q="])(
    "an invalid query %s is 422",
    async (query) => {
      const ctx = await createTestContext(UNTHROTTLED_ENV);
      const admin = await createUserWithRole(ctx, "admin");
      await expectProblem(
        await ctx.request(`${ADMIN}/users?${query}`, { token: admin.accessToken }),
        422,
        "validation_error",
      );
    },
  );
});

describe("GET /admin/users/{id}", () => {
  test("returns one user; an unknown id is 404 and a malformed one 422", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    const user = await createUser(ctx, { full_name: "Target Person" });
    const body = (await expectJsonBody(
      await ctx.request(userPath(user.id), { token: admin.accessToken }),
    )) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: user.id,
      username: user.username,
      email: user.email,
      full_name: "Target Person",
      role: "user",
      is_active: true,
    });
    await expectProblem(
      await ctx.request(userPath(999_999), { token: admin.accessToken }),
      404,
      "not_found",
    );
    await expectProblem(
      await ctx.request(`${ADMIN}/users/abc`, { token: admin.accessToken }),
      422,
      "validation_error",
    );
  });
});

describe("bans", () => {
  test("lists active bans newest first, paginated; expired ones are left out", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    await insertBan(ctx, "198.51.100.1", -1);
    const older = await insertBan(ctx, "198.51.100.2", 600_000, "50 failed sign-ins");
    ctx.clock.advance(1_000);
    const newer = await insertBan(ctx, "2001:db8::1", 600_000);
    const response = await ctx.request(`${ADMIN}/bans`, { token: admin.accessToken });
    expect(response.headers.get("x-total-count")).toBe("2");
    expect(response.headers.get("link")).toContain('rel="first"');
    const bans = (await expectJsonBody(response)) as Record<string, unknown>[];
    expect(bans.map((ban) => ban.id)).toEqual([newer, older]);
    expect(bans[1]).toEqual({
      id: older,
      ip: "198.51.100.2",
      reason: "50 failed sign-ins",
      created_at: new Date(ctx.clock.now() - 1_000).toISOString(),
      expires_at: new Date(ctx.clock.now() - 1_000 + 600_000).toISOString(),
    });
    const second = await ctx.request(`${ADMIN}/bans?limit=1&offset=1`, {
      token: admin.accessToken,
    });
    expect(((await expectJsonBody(second)) as { id: number }[]).map((ban) => ban.id)).toEqual([
      older,
    ]);
    await expectProblem(
      await ctx.request(`${ADMIN}/bans?limit=500`, { token: admin.accessToken }),
      422,
      "validation_error",
    );
  });

  test("lifting a ban removes it and the address's recorded failures; an unknown ban is 404", async () => {
    const ctx = await createTestContext(UNTHROTTLED_ENV);
    const admin = await createUserWithRole(ctx, "admin");
    const ban = await insertBan(ctx, "198.51.100.7", 600_000);
    const keep = await insertBan(ctx, "198.51.100.8", 600_000);
    for (const ip of ["198.51.100.7", "198.51.100.7", "198.51.100.8"]) {
      await ctx.deps.sql.run("INSERT INTO auth_failures (ip, created_at) VALUES (?, ?)", [
        ip,
        ctx.clock.now(),
      ]);
    }
    const response = await ctx.request(`${ADMIN}/bans/${ban}`, {
      method: "DELETE",
      token: admin.accessToken,
    });
    expect(response.status).toBe(204);
    const left = (await expectJsonBody(
      await ctx.request(`${ADMIN}/bans`, { token: admin.accessToken }),
    )) as {
      id: number;
    }[];
    expect(left.map((b) => b.id)).toEqual([keep]);
    expect(await ctx.deps.sql.all("SELECT ip FROM auth_failures")).toEqual([
      { ip: "198.51.100.8" },
    ]);
    await expectProblem(
      await ctx.request(`${ADMIN}/bans/${ban}`, { method: "DELETE", token: admin.accessToken }),
      404,
      "not_found",
    );
  });
});

describe("a real ban, end to end", () => {
  test("failed sign-ins ban an address; an admin sees the ban and lifts it", async () => {
    const ctx = await createTestContext({
      AUTH_BAN_THRESHOLD: "3",
      AUTH_RATE_LIMIT_MAX: "0",
      TRUST_PROXY: "true",
    });
    const admin = await createUserWithRole(ctx, "admin");
    const victim = await createUser(ctx);
    const from = { "x-forwarded-for": "192.0.2.44" };
    const attempt = (password: string) =>
      ctx.request("/api/v1/auth/login", {
        headers: from,
        body: { email: victim.email, password },
      });
    for (let i = 0; i < 3; i++) expect((await attempt("wrong-password")).status).toBe(401);
    await expectProblem(await attempt(victim.password), 403, "forbidden_access");

    const bans = (await expectJsonBody(
      await ctx.request(`${ADMIN}/bans`, { token: admin.accessToken }),
    )) as {
      id: number;
      ip: string;
    }[];
    expect(bans.map((ban) => ban.ip)).toEqual(["192.0.2.44"]);
    const lifted = await ctx.request(`${ADMIN}/bans/${bans[0]?.id}`, {
      method: "DELETE",
      token: admin.accessToken,
    });
    expect(lifted.status).toBe(204);
    expect((await attempt(victim.password)).status).toBe(200);
    // The earlier failures were forgotten with the ban: one more miss does not re-ban at once.
    expect((await attempt("wrong-password")).status).toBe(401);
    expect((await attempt(victim.password)).status).toBe(200);
  });
});

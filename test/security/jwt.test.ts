import { describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { setRole } from "../support/accounts";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "../support/app";
import { claimsOf } from "../support/authz";
import { createUser, type TestUser } from "../support/factories";
import { expectUnauthorized } from "./helpers";

const ME = "/api/v1/users/me";

interface Fixture {
  ctx: TestContext;
  user: TestUser;
  secret: Uint8Array<ArrayBuffer>;
  /** The claims of the user's real access token. */
  claims: { sub: string; sid: number; typ: string; exp: number };
}

async function fixture(): Promise<Fixture> {
  const ctx = await createTestContext(UNTHROTTLED_ENV);
  const user = await createUser(ctx);
  const { userId, sessionId } = claimsOf(user.accessToken);
  const exp = Math.floor(ctx.clock.now() / 1000) + 600;
  return {
    ctx,
    user,
    secret: new TextEncoder().encode(ctx.deps.config.jwtSecret ?? ""),
    claims: { sub: String(userId), sid: sessionId, typ: "access", exp },
  };
}

const b64 = (value: unknown) =>
  Buffer.from(typeof value === "string" ? value : JSON.stringify(value)).toString("base64url");

/** Signs with jose, HS256 and our secret unless told otherwise. */
function sign(f: Fixture, payload: Record<string, unknown>, alg = "HS256", key = f.secret) {
  return new SignJWT(payload).setProtectedHeader({ alg, typ: "JWT" }).sign(key);
}

/** Signs exactly the given `header.payload` text, as a holder of the key could. */
async function signText(f: Fixture, input: string, secret = f.secret) {
  const key = await crypto.subtle.importKey(
    "raw",
    secret,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(input));
  return `${input}.${Buffer.from(signature).toString("base64url")}`;
}

/** An HMAC-SHA256 signature over any header, as an attacker could compute with a known key. */
function hmacToken(
  f: Fixture,
  header: Record<string, unknown>,
  payload: unknown,
  secret = f.secret,
) {
  return signText(f, `${b64(header)}.${b64(payload)}`, secret);
}

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** The same bytes, spelled with a stray low bit set in the last character. */
function strayBits(segment: string): string {
  expect(segment.length % 4).toBeOneOf([2, 3]);
  const last = BASE64URL.indexOf(segment.at(-1) ?? "");
  const spelled = segment.slice(0, -1) + BASE64URL[last ^ 1];
  expect(Buffer.from(spelled, "base64url")).toEqual(Buffer.from(segment, "base64url"));
  return spelled;
}

/** A JSON object's base64url whose length leaves stray bits in its last character. */
function unevenSegment(value: Record<string, unknown>): string {
  for (let pad = ""; ; pad += "x") {
    const segment = b64({ ...value, pad });
    if (segment.length % 4 !== 0) return segment;
  }
}

async function expectRefused(f: Fixture, token: string) {
  for (const path of [ME, "/api/v1/tasks"]) {
    const response = await f.ctx.request(path, { headers: { authorization: `Bearer ${token}` } });
    await expectUnauthorized(response);
  }
}

describe("hostile access tokens are all 401 problem+json", () => {
  test("control: a token signed the same way with the right claims is accepted", async () => {
    const f = await fixture();
    const token = await sign(f, f.claims);
    expect((await f.ctx.request(ME, { token })).status).toBe(200);
    expect(
      (await f.ctx.request(ME, { token: await hmacToken(f, { alg: "HS256" }, f.claims) })).status,
    ).toBe(200);
  });

  test("alg none, with and without a signature", async () => {
    const f = await fixture();
    const unsigned = `${b64({ alg: "none", typ: "JWT" })}.${b64(f.claims)}`;
    await expectRefused(f, `${unsigned}.`);
    await expectRefused(f, `${unsigned}.${f.user.accessToken.split(".")[2]}`);
    await expectRefused(f, `${b64({ alg: "None" })}.${b64(f.claims)}.`);
  });

  test("a wrong signature, a stripped one, and claims swapped under a real one", async () => {
    const f = await fixture();
    const [header, payload, signature = ""] = f.user.accessToken.split(".");
    const flipped = (signature[0] === "A" ? "B" : "A") + signature.slice(1);
    await expectRefused(f, `${header}.${payload}.${flipped}`);
    await expectRefused(f, `${header}.${payload}.`);
    await expectRefused(f, `${header}.${payload}`);
    const other = await createUser(f.ctx);
    await expectRefused(f, `${header}.${other.accessToken.split(".")[1]}.${signature}`);
  });

  test("other algorithms with the same secret: HS384, HS512, and RS256/ES256 headers", async () => {
    const f = await fixture();
    await expectRefused(f, await sign(f, f.claims, "HS384"));
    await expectRefused(f, await sign(f, f.claims, "HS512"));
    await expectRefused(f, await hmacToken(f, { alg: "RS256", typ: "JWT" }, f.claims));
    await expectRefused(f, await hmacToken(f, { alg: "ES256", typ: "JWT" }, f.claims));
    // A key embedded by the attacker is never used, and an unknown critical extension is refused.
    const attackerKey = new TextEncoder().encode("attacker-chosen-key-attacker-chosen-key");
    const jwk = { kty: "oct", k: Buffer.from(attackerKey).toString("base64url") };
    await expectRefused(f, await hmacToken(f, { alg: "HS256", jwk }, f.claims, attackerKey));
    await expectRefused(f, await sign(f, f.claims, "HS256", attackerKey));
    await expectRefused(
      f,
      await hmacToken(f, { alg: "HS256", crit: ["x-evil"], "x-evil": 1 }, f.claims),
    );
  });

  test("expired, expiring this very second, and not yet valid", async () => {
    const f = await fixture();
    const now = Math.floor(f.ctx.clock.now() / 1000);
    await expectRefused(f, await sign(f, { ...f.claims, exp: now - 3600 }));
    await expectRefused(f, await sign(f, { ...f.claims, exp: now }));
    await expectRefused(f, await sign(f, { ...f.claims, nbf: now + 60 }));
    const notBefore = await sign(f, { ...f.claims, nbf: now + 60 });
    f.ctx.clock.advance(61_000);
    expect((await f.ctx.request(ME, { token: notBefore })).status).toBe(200);
  });

  test("a token that was accepted is refused once it expires", async () => {
    const f = await fixture();
    expect((await f.ctx.request(ME, { token: f.user.accessToken })).status).toBe(200);
    f.ctx.clock.advance(f.ctx.deps.config.accessTokenTtlSeconds * 1000);
    await expectRefused(f, f.user.accessToken);
  });

  test("missing or malformed claims: sub, sid, typ, exp", async () => {
    const f = await fixture();
    const { sub, sid, typ, exp } = f.claims;
    const variants: Record<string, unknown>[] = [
      { sid, typ, exp },
      { sub, typ, exp },
      { sub, sid, exp },
      { sub, sid, typ },
      { sub, sid, typ: "refresh", exp },
      { sub, sid: String(sid), typ, exp },
      { sub, sid: sid + 0.5, typ, exp },
      { sub, sid: 2 ** 60, typ, exp },
      { sub: "alice", sid, typ, exp },
      { sub: "-1", sid, typ, exp },
    ];
    for (const claims of variants) await expectRefused(f, await sign(f, claims));
  });

  test("a real session id under another user's id", async () => {
    const f = await fixture();
    const other = await createUser(f.ctx);
    const { sessionId } = claimsOf(other.accessToken);
    await expectRefused(f, await sign(f, { ...f.claims, sid: sessionId }));
  });

  test("a refresh token, or a refresh-looking JWT, used as an access token", async () => {
    const f = await fixture();
    await expectRefused(f, f.user.refreshToken);
    await expectRefused(f, await sign(f, { ...f.claims, typ: "refresh" }));
  });

  test("the token of a deleted user", async () => {
    const f = await fixture();
    const deleted = await f.ctx.request(ME, {
      method: "DELETE",
      token: f.user.accessToken,
      body: { password: f.user.password },
    });
    expect(deleted.status).toBe(204);
    await expectRefused(f, f.user.accessToken);
    await expectRefused(f, await sign(f, f.claims));
  });

  test("the token of a revoked session, and of a deactivated user", async () => {
    const f = await fixture();
    expect((await f.ctx.request(ME, { token: f.user.accessToken })).status).toBe(200);
    const logout = await f.ctx.request("/api/v1/auth/logout", {
      method: "POST",
      token: f.user.accessToken,
    });
    expect(logout.status).toBe(204);
    await expectRefused(f, f.user.accessToken);

    const other = await createUser(f.ctx);
    expect((await f.ctx.request(ME, { token: other.accessToken })).status).toBe(200);
    await setRole(f.ctx, other, "user", false);
    await expectRefused(f, other.accessToken);
  });

  test("other spellings of an accepted token: padding, stray bits, extra dots, spaces", async () => {
    const f = await fixture();
    const token = f.user.accessToken;
    // Accepted, and so remembered: none of its other spellings may find it in that memory.
    expect((await f.ctx.request(ME, { token })).status).toBe(200);
    const [header = "", payload = "", signature = ""] = token.split(".");
    expect(signature).toHaveLength(43);
    const spellings = [
      `${token}=`,
      `${token}==`,
      `${header}.${payload}=.${signature}`,
      `${header}=.${payload}.${signature}`,
      `${header}.${payload}.${strayBits(signature)}`,
      `${token}.`,
      `.${token}`,
      `${header}..${payload}.${signature}`,
      `${token}.${signature}`,
    ];
    for (const spelled of spellings) await expectRefused(f, spelled);
    for (const inside of [
      `${header}. ${payload}.${signature}`,
      `${header}.${payload}\t.${signature}`,
    ]) {
      await expectUnauthorized(
        await f.ctx.request(ME, { headers: { authorization: `Bearer ${inside}` } }),
      );
    }
    expect((await f.ctx.request(ME, { token })).status).toBe(200);
  });

  test("signed over a non-canonical header or payload, or in the +/ alphabet: refused", async () => {
    const f = await fixture();
    const header = unevenSegment({ alg: "HS256", typ: "JWT" });
    const payload = unevenSegment(f.claims);
    // Control: the canonical text, signed the same way, is accepted.
    expect(
      (await f.ctx.request(ME, { token: await signText(f, `${header}.${payload}`) })).status,
    ).toBe(200);
    const texts = [
      `${strayBits(header)}.${payload}`,
      `${header}.${strayBits(payload)}`,
      `${header}=.${payload}`,
      `${header}.${payload}=`,
    ];
    for (const text of texts) await expectRefused(f, await signText(f, text));
    // A signature that has a - or _ in it, spelled in standard base64 instead.
    let token = "";
    for (let pad = ""; !/[-_]/.test(token.split(".")[2] ?? ""); pad += "x") {
      token = await signText(f, `${header}.${b64({ ...f.claims, pad })}`);
    }
    expect((await f.ctx.request(ME, { token })).status).toBe(200);
    const [h, p, signature = ""] = token.split(".");
    await expectRefused(f, `${h}.${p}.${signature.replaceAll("-", "+").replaceAll("_", "/")}`);
  });

  test("garbage in the Authorization header", async () => {
    const f = await fixture();
    const token = f.user.accessToken;
    const headers = [
      "Bearer",
      "Bearer ",
      "Bearer a.b.c",
      "Bearer ....",
      "Bearer e30.e30.e30",
      `Bearer ${"A".repeat(8000)}`,
      `Bearer ${token} extra`,
      `Bearer ${token},${token}`,
      `Token ${token}`,
      token,
      "Bearer ünïcødé.ä.ö",
      "Bearer %00%00",
      `Bearer ${b64("{not json")}.${b64(f.claims)}.sig`,
      `Bearer ${b64({ alg: "HS256" })}.${b64("[1,2")}.sig`,
    ];
    for (const authorization of headers) {
      const response = await f.ctx.request(ME, { headers: { authorization } });
      await expectUnauthorized(response);
    }
    // On the REST API a token in the query string is not a credential.
    await expectUnauthorized(await f.ctx.request(`${ME}?access_token=${token}`));
  });
});

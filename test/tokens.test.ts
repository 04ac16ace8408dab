import { describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { createTokenService } from "../src/platform/tokens";
import { FakeClock } from "./support/clock";

const SECRET = "token-test-secret-that-is-long-enough-000000";
const TTL_SECONDS = 900;

async function service(clock = new FakeClock()) {
  return { clock, tokens: await createTokenService(SECRET, TTL_SECONDS, clock) };
}

/** A token with our claims but a header or payload of the caller's choosing. */
function forge(header: Record<string, unknown>, payload: Record<string, unknown>, secret = SECRET) {
  return new SignJWT(payload)
    .setProtectedHeader(header as { alg: string })
    .sign(new TextEncoder().encode(secret));
}

describe("access tokens", () => {
  test("a token verifies to its claims, again and again", async () => {
    const { tokens } = await service();
    const token = await tokens.signAccess({ userId: 7, sessionId: 3 });
    expect(await tokens.verifyAccess(token)).toEqual({ userId: 7, sessionId: 3 });
    expect(await tokens.verifyAccess(token)).toEqual({ userId: 7, sessionId: 3 });
  });

  test("a remembered token is refused from the second it expires", async () => {
    const { clock, tokens } = await service();
    const token = await tokens.signAccess({ userId: 1, sessionId: 1 });
    expect(await tokens.verifyAccess(token)).not.toBeNull();
    clock.advance((TTL_SECONDS - 1) * 1000);
    expect(await tokens.verifyAccess(token)).toEqual({ userId: 1, sessionId: 1 });
    clock.advance(1000);
    expect(await tokens.verifyAccess(token)).toBeNull();
  });

  test("a tampered copy of an accepted token is refused", async () => {
    const { tokens } = await service();
    const token = await tokens.signAccess({ userId: 5, sessionId: 9 });
    expect(await tokens.verifyAccess(token)).not.toBeNull();
    const [header, payload, signature] = token.split(".");
    const claims = JSON.parse(Buffer.from(payload ?? "", "base64url").toString());
    const raised = Buffer.from(JSON.stringify({ ...claims, sub: "1" })).toString("base64url");
    expect(await tokens.verifyAccess(`${header}.${raised}.${signature}`)).toBeNull();
    expect(await tokens.verifyAccess(`${token}x`)).toBeNull();
    expect(await tokens.verifyAccess(token.slice(0, -2))).toBeNull();
  });

  test("only the exact text that was signed: no whitespace, padding or second spelling", async () => {
    const { tokens } = await service();
    const token = await tokens.signAccess({ userId: 6, sessionId: 2 });
    expect(await tokens.verifyAccess(token)).toEqual({ userId: 6, sessionId: 2 });
    const [header, payload, signature = ""] = token.split(".");
    const refused = [
      `${token}\t`,
      `${token}\n`,
      `${token}\r\n`,
      ` ${token}`,
      `${token} `,
      `${header}.\n${payload}.${signature}`,
      `${token}=`,
      `${token}%3D`,
      `${header}.${payload}.${signature.slice(0, -1)}${signature.endsWith("A") ? "B" : "A"}`,
      `${header}.${payload}.${signature}A`,
      `${header}.${payload}.${signature.slice(0, -1)}`,
      `${header}.${payload}.`,
      token.replaceAll(".", ","),
    ];
    for (const spelled of refused) expect(await tokens.verifyAccess(spelled)).toBeNull();
    expect(await tokens.verifyAccess(token)).toEqual({ userId: 6, sessionId: 2 });
  });

  test("foreign secrets, other algorithms, wrong types and bad claims are refused", async () => {
    const { clock, tokens } = await service();
    const exp = Math.floor(clock.now() / 1000) + 60;
    const good = { sub: "2", sid: 4, typ: "access", exp };
    expect(await tokens.verifyAccess(await forge({ alg: "HS256" }, good))).toEqual({
      userId: 2,
      sessionId: 4,
    });
    const refused = [
      await forge({ alg: "HS256" }, good, "another-secret-that-is-long-enough-0000000"),
      await forge({ alg: "HS512" }, good),
      await forge({ alg: "HS256" }, { ...good, typ: "refresh" }),
      await forge({ alg: "HS256" }, { ...good, exp: undefined }),
      await forge({ alg: "HS256" }, { ...good, sub: "not-a-number" }),
      await forge({ alg: "HS256" }, { ...good, sid: "4" }),
      await forge({ alg: "HS256" }, { ...good, exp: exp - 120 }),
      `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from(JSON.stringify(good)).toString("base64url")}.`,
      "not-a-token",
    ];
    for (const token of refused) expect(await tokens.verifyAccess(token)).toBeNull();
  });

  test("a token that is not valid yet is not remembered as valid", async () => {
    const { clock, tokens } = await service();
    const now = Math.floor(clock.now() / 1000);
    const early = await forge(
      { alg: "HS256" },
      { sub: "3", sid: 3, typ: "access", exp: now + 600, nbf: now + 300 },
    );
    expect(await tokens.verifyAccess(early)).toBeNull();
    clock.advance(300_000);
    expect(await tokens.verifyAccess(early)).toEqual({ userId: 3, sessionId: 3 });
    clock.advance(-300_000);
    // Had the accepted token been remembered, its nbf would no longer be checked.
    expect(await tokens.verifyAccess(early)).toBeNull();
  });

  test("each service keeps its own memory of tokens", async () => {
    const clock = new FakeClock();
    const first = await createTokenService(SECRET, TTL_SECONDS, clock);
    const other = await createTokenService(
      "a-different-secret-that-is-long-enough-0000",
      TTL_SECONDS,
      clock,
    );
    const token = await first.signAccess({ userId: 8, sessionId: 8 });
    expect(await first.verifyAccess(token)).not.toBeNull();
    expect(await other.verifyAccess(token)).toBeNull();
  });
});

/**
 * A browser session against the compiled binary, over a real socket: the minified build must
 * still read and set the refresh cookie (Elysia decides from each handler's code whether to parse
 * cookies), and Set-Cookie must reach the wire intact.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cleanUp, ensureBinary, makeTempDir, serverEnv, startServer } from "./binary-process";

const TIMEOUT = 20_000;
let binary = "";

beforeAll(() => {
  binary = ensureBinary();
}, 120_000);

afterAll(cleanUp);

const alice = {
  username: "alice",
  email: "alice@example.com",
  password: "Sturdy-alice-passphrase",
};

/** The refresh cookie's value, after checking the attributes the browser is given. */
function refreshCookie(response: Response, maxAge: string): string {
  const [header = "", ...more] = response.headers.getSetCookie();
  expect(more).toEqual([]);
  const [pair = "", ...attributes] = header.split("; ");
  expect(pair).toStartWith("kanbun_refresh=");
  expect(attributes.sort()).toEqual(
    ["HttpOnly", `Max-Age=${maxAge}`, "Path=/api/v1/auth", "SameSite=Strict", "Secure"].sort(),
  );
  return pair.slice("kanbun_refresh=".length);
}

describe("kanbun serve, browser session", () => {
  test(
    "login sets the cookie, refresh reads it only with X-Requested-With, logout clears it",
    async () => {
      const dir = makeTempDir();
      const server = await startServer(
        binary,
        dir,
        serverEnv(dir, { APP_URL: "https://kanbun.example", REFRESH_TOKEN_TTL: "1d" }),
      );
      const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
        fetch(`${server.baseUrl}/api/v1/auth${path}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...headers },
          body: JSON.stringify(body),
        });
      expect((await post("/signup", alice)).status).toBe(201);

      const login = await post("/login", {
        email: alice.email,
        password: alice.password,
        session: "cookie",
      });
      expect(login.status).toBe(200);
      const first = refreshCookie(login, "86400");
      const signedIn = (await login.json()) as Record<string, unknown>;
      expect(signedIn.refresh_token).toBeUndefined();
      expect(signedIn.access_token).toBeString();

      const cookie = (token: string) => ({ cookie: `kanbun_refresh=${token}` });
      const unguarded = await post("/refresh", {}, cookie(first));
      expect(unguarded.status).toBe(403);
      expect(unguarded.headers.getSetCookie()).toEqual([]);
      await unguarded.arrayBuffer();

      const guard = { "x-requested-with": "kanbun" };
      const refreshed = await post("/refresh", {}, { ...cookie(first), ...guard });
      expect(refreshed.status).toBe(200);
      const second = refreshCookie(refreshed, "86400");
      expect(second).not.toBe(first);
      const { access_token } = (await refreshed.json()) as { access_token: string };

      const logout = await fetch(`${server.baseUrl}/api/v1/auth/logout`, {
        method: "POST",
        headers: { authorization: `Bearer ${access_token}`, ...cookie(second) },
      });
      expect(logout.status).toBe(204);
      expect(refreshCookie(logout, "0")).toBe("");
      const ended = await post("/refresh", {}, { ...cookie(second), ...guard });
      expect(ended.status).toBe(401);
      await ended.arrayBuffer();
      expect(await server.stop()).toBe(0);
    },
    TIMEOUT,
  );
});

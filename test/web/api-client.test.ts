import { describe, expect, test } from "bun:test";
import { ApiError, createApiClient, describeError, readResponse } from "../../src/web/api/client";

interface Call {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: unknown;
}

/** A fake server: answers each call with the next scripted response, recording the calls. */
function fakeServer(answers: ((call: Call) => Response)[]) {
  const calls: Call[] = [];
  const fetchImpl = async (url: string, init: RequestInit = {}) => {
    const call: Call = {
      url,
      method: init.method ?? "GET",
      headers: init.headers as Record<string, string>,
      body: init.body ? JSON.parse(String(init.body)) : undefined,
    };
    calls.push(call);
    const answer = answers.shift();
    if (!answer) throw new Error(`unexpected call ${call.method} ${url}`);
    return answer(call);
  };
  return { calls, client: createApiClient(fetchImpl) };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
const tokens = (access: string, refresh?: string) =>
  json(200, {
    access_token: access,
    token_type: "bearer",
    expires_in: 900,
    refresh_token: refresh,
  });
const refusedSession = json(422, {
  code: "validation_error",
  detail: "Invalid body",
  errors: [{ path: "/session", message: "Unexpected property" }],
});

describe("signing in", () => {
  test("asks for a cookie session and keeps the access token in memory only", async () => {
    const { calls, client } = fakeServer([tokens("A1"), json(200, { id: 1 })]);
    await client.signIn("ada@example.com", "pw");
    expect(calls[0]?.body).toEqual({ email: "ada@example.com", password: "pw", session: "cookie" });
    expect(client.accessToken()).toBe("A1");
    await client.get("/users/me");
    expect(calls[1]?.headers.authorization).toBe("Bearer A1");
    expect(calls[1]?.url).toBe("/api/v1/users/me");
  });

  test("a server without cookie sessions: signs in again without the field and refreshes from memory", async () => {
    const { calls, client } = fakeServer([
      refusedSession,
      tokens("A1", "R1"),
      tokens("A2", "R2"),
      tokens("A3", "R3"),
    ]);
    await client.signIn("ada", "pw");
    expect(calls[1]?.body).toEqual({ username: "ada", password: "pw" });
    expect(await client.refresh()).toBe(true);
    expect(calls[2]?.body).toEqual({ refresh_token: "R1" });
    expect(client.accessToken()).toBe("A2");
    // Learnt once: the cookie route is not tried again.
    expect(await client.refresh()).toBe(true);
    expect(calls[3]?.body).toEqual({ refresh_token: "R2" });
  });

  test("wrong credentials surface the server's detail; other 422s are not mistaken for the session field", async () => {
    const { client } = fakeServer([
      json(401, { code: "unauthorized_error", detail: "Incorrect email or password" }),
      json(422, {
        code: "validation_error",
        detail: "Invalid",
        errors: [{ path: "/password", message: "Required" }],
      }),
    ]);
    await expect(client.signIn("ada", "nope")).rejects.toThrow("Incorrect email or password");
    const failure = await client.signIn("ada", "").catch((error) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect(describeError(failure)).toBe("Invalid (password: Required)");
  });
});

describe("refreshing", () => {
  test("through the cookie, with the CSRF header", async () => {
    const { calls, client } = fakeServer([tokens("A1")]);
    expect(await client.refresh()).toBe(true);
    expect(calls[0]?.headers["x-requested-with"]).toBe("kanbun");
    expect(calls[0]?.body).toEqual({ session: "cookie" });
  });

  test("no session: false, whether the cookie is missing or the server is unreachable", async () => {
    expect(await fakeServer([json(401, { detail: "No session" })]).client.refresh()).toBe(false);
    const offline = createApiClient(async () => {
      throw new TypeError("Failed to fetch");
    });
    expect(await offline.refresh()).toBe(false);
    const noMemory = fakeServer([refusedSession]);
    expect(await noMemory.client.refresh()).toBe(false);
    const spent = fakeServer([refusedSession, tokens("A1", "R1"), json(401, { detail: "spent" })]);
    await spent.client.signIn("ada", "pw");
    expect(await spent.client.refresh()).toBe(false);
  });

  test("concurrent 401s share one refresh", async () => {
    const { calls, client } = fakeServer([tokens("A1")]);
    const [one, two] = await Promise.all([client.refresh(), client.refresh()]);
    expect([one, two]).toEqual([true, true]);
    expect(calls.length).toBe(1);
  });

  test("an expired access token is refreshed and the call retried once", async () => {
    const { calls, client } = fakeServer([
      tokens("A1"),
      json(401, { detail: "expired" }),
      tokens("A2"),
      json(200, { ok: true }),
    ]);
    await client.signIn("ada", "pw");
    const { data } = await client.get<{ ok: boolean }>("/tasks");
    expect(data.ok).toBe(true);
    expect(calls[3]?.headers.authorization).toBe("Bearer A2");
  });

  test("when refreshing fails the session ends and listeners hear of it", async () => {
    const { client } = fakeServer([
      tokens("A1"),
      json(401, { detail: "revoked" }),
      json(401, { detail: "no" }),
    ]);
    let ended = 0;
    const stop = client.onSessionEnded(() => {
      ended += 1;
    });
    await client.signIn("ada", "pw");
    await expect(client.get("/tasks")).rejects.toThrow("revoked");
    expect(ended).toBe(1);
    expect(client.accessToken()).toBeNull();
    stop();
  });
});

describe("requests and answers", () => {
  test("bodies are JSON; 204 has no data; headers are passed through", async () => {
    const { calls, client } = fakeServer([
      json(201, { id: 5 }, { etag: '"5.1"' }),
      () => new Response(null, { status: 204 }),
      json(200, { id: 5 }),
    ]);
    const created = await client.post<{ id: number }>("/tasks", { title: "x" });
    expect(created.headers.get("etag")).toBe('"5.1"');
    expect(calls[0]?.headers["content-type"]).toBe("application/json");
    expect((await client.delete("/tasks/5")).data).toBeUndefined();
    await client.patch("/tasks/5", { title: "y" }, { "if-match": '"5.1"' });
    expect(calls[2]?.headers["if-match"]).toBe('"5.1"');
    expect(calls[2]?.method).toBe("PATCH");
  });

  test("a POST without a body sends none, as actions like marking read require", async () => {
    const { calls, client } = fakeServer([json(200, { id: 4 }), json(200, { id: 5 })]);
    await client.post("/notifications/4/read");
    expect(calls[0]?.body).toBeUndefined();
    expect(calls[0]?.headers["content-type"]).toBeUndefined();
    await client.post("/tasks", {});
    expect(calls[1]?.body).toEqual({});
  });

  test("a non-JSON failure still becomes a clear error", async () => {
    await expect(readResponse(new Response("oops", { status: 502 }))).rejects.toThrow(
      "The server could not answer",
    );
    await expect(readResponse(new Response("", { status: 418 }))).rejects.toThrow("answered 418");
    await expect(readResponse(new Response("{}", { status: 409 }))).rejects.toThrow("answered 409");
  });

  test("describing failures for people", () => {
    expect(describeError(new TypeError("Failed to fetch"))).toContain("cannot be reached");
    expect(describeError(new Error("boom"))).toBe("boom");
    expect(describeError("plain")).toBe("plain");
    expect(describeError(new ApiError(412, "precondition_failed", "Changed"))).toBe("Changed");
  });

  test("a field the detail already names is not repeated; the others are listed", () => {
    const field = (path: string, message: string) => ({ path, message });
    const one = new ApiError(
      422,
      "validation_error",
      "Invalid field password: Must be 8–128 characters",
      [field("/password", "Must be 8–128 characters")],
    );
    expect(describeError(one)).toBe("Invalid field password: Must be 8–128 characters");
    const two = new ApiError(
      422,
      "validation_error",
      "Invalid field password: Must be 8–128 characters",
      [field("/password", "Must be 8–128 characters"), field("/email", "Must be an email address")],
    );
    expect(describeError(two)).toBe(
      "Invalid field password: Must be 8–128 characters (email: Must be an email address)",
    );
  });

  test("signing out sends the memory refresh token and forgets both tokens, even on failure", async () => {
    const { calls, client } = fakeServer([
      refusedSession,
      tokens("A1", "R1"),
      () => {
        throw new TypeError("offline");
      },
    ]);
    await client.signIn("ada", "pw");
    await expect(client.signOut()).rejects.toThrow("offline");
    expect(calls[2]?.body).toEqual({ refresh_token: "R1" });
    expect(client.accessToken()).toBeNull();
    const cookie = fakeServer([tokens("A1"), () => new Response(null, { status: 204 })]);
    await cookie.client.signIn("ada", "pw");
    await cookie.client.signOut();
    expect(cookie.calls[1]?.body).toEqual({});
  });
});

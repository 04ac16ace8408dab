import createClient, { type Client } from "openapi-fetch";
// Generated from /docs/json by test/openapi-client.test.ts, next to a copy of this file.
import type { components, paths } from "./api";

/**
 * A program written against the client generated from the OpenAPI document, as an API user
 * would write it: sign up, log in, create a task, read it back by its numeric id, list a page.
 */
export async function useTheApi(fetch: (request: Request) => Promise<Response>) {
  const anonymous = createClient<paths>({ baseUrl: "http://localhost", fetch });
  const name = `typed_${Date.now().toString(36)}`;
  const credentials = {
    username: name,
    email: `${name}@example.com`,
    password: "Typed-client-passphrase-1",
  };

  const signup = await anonymous.POST("/api/v1/auth/signup", { body: credentials });
  if (!signup.data) throw new Error(`sign-up: ${signup.response.status}`);
  const userId: number = signup.data.user.id;

  const login = await anonymous.POST("/api/v1/auth/login", {
    body: { email: credentials.email, password: credentials.password },
  });
  if (!login.data) throw new Error(`login: ${login.response.status}`);

  const client = createClient<paths>({
    baseUrl: "http://localhost",
    fetch,
    headers: { authorization: `Bearer ${login.data.access_token}` },
  });
  const created = await client.POST("/api/v1/tasks", {
    body: { title: "Written by a typed client", priority: 2, tags: ["typed"] },
  });
  if (!created.data) throw new Error(`create: ${created.response.status}`);

  const read = await client.GET("/api/v1/tasks/{id}", {
    params: { path: { id: created.data.id } },
  });
  const page = await client.GET("/api/v1/tasks", { params: { query: { limit: 20 } } });
  const missing = await client.GET("/api/v1/tasks/{id}", {
    params: { path: { id: created.data.id + 1000 } },
  });
  const problemCode: string | undefined = missing.error?.code;

  return {
    userId,
    task: read.data,
    listed: page.data?.map((task) => task.id),
    total: page.response.headers.get("x-total-count"),
    problemCode,
  };
}

/** Never run: each call is a mistake the generated types must refuse. */
export function mistakesTheTypesCatch(client: Client<paths>) {
  // @ts-expect-error: ids are numbers
  client.GET("/api/v1/tasks/{id}", { params: { path: { id: "1" } } });
  // @ts-expect-error: limit is a number
  client.GET("/api/v1/tasks", { params: { query: { limit: "20" } } });
  // @ts-expect-error: a task needs a title
  client.POST("/api/v1/tasks", { body: { priority: 1 } });
  // @ts-expect-error: server-owned fields are not part of the body
  const body: components["schemas"]["CreateTaskBody"] = { title: "Mine", owner_id: 2 };
  client.POST("/api/v1/tasks", { body });
  // @ts-expect-error: a title is text
  client.PATCH("/api/v1/tasks/{id}", { params: { path: { id: 1 } }, body: { title: 5 } });
}

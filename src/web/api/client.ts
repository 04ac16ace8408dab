/**
 * The app's only way to the server: the public API under /api/v1, as any client would use it.
 *
 * The access token lives in this module's memory only. The refresh token is an HttpOnly cookie
 * (`session: "cookie"`, refreshed with `X-Requested-With: kanbun`) when the server offers it;
 * a server without cookie sessions refuses the field (422), and the client then keeps the
 * refresh token in memory instead, so a reload signs out but nothing touches localStorage.
 */
export const API = "/api/v1";
export const CSRF_HEADER = { "x-requested-with": "kanbun" };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly detail: string,
    readonly errors: { path: string; message: string }[] = [],
  ) {
    super(detail);
  }
}

export interface ApiResponse<T> {
  data: T;
  headers: Headers;
  status: number;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
}

interface TokenResponse {
  access_token: string;
  expires_in: number;
  refresh_token?: string;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

export function createApiClient(fetchImpl: Fetch = (input, init) => fetch(input, init)) {
  let accessToken: string | null = null;
  let memoryRefreshToken: string | null = null;
  let cookieSessions = true;
  let refreshing: Promise<boolean> | null = null;
  const endedListeners = new Set<() => void>();

  async function send(method: string, path: string, options: RequestOptions = {}) {
    const headers: Record<string, string> = { accept: "application/json", ...options.headers };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (accessToken) headers.authorization = `Bearer ${accessToken}`;
    return fetchImpl(`${API}${path}`, {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      credentials: "same-origin",
    });
  }

  async function request<T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<T>> {
    let response = await send(method, path, options);
    if (response.status === 401 && accessToken && !path.startsWith("/auth/")) {
      if (await refresh()) response = await send(method, path, options);
      else endSession();
    }
    return readResponse<T>(response);
  }

  function adoptTokens(tokens: TokenResponse): void {
    accessToken = tokens.access_token;
    if (tokens.refresh_token) memoryRefreshToken = tokens.refresh_token;
  }

  /** A new access token from the refresh token; one attempt at a time. */
  function refresh(): Promise<boolean> {
    refreshing ??= (async () => {
      try {
        if (cookieSessions) {
          const response = await send("POST", "/auth/refresh", {
            body: { session: "cookie" },
            headers: CSRF_HEADER,
          });
          if (response.ok) {
            adoptTokens(await response.json());
            return true;
          }
          if (response.status !== 422) return false;
          cookieSessions = false;
        }
        if (!memoryRefreshToken) return false;
        const response = await send("POST", "/auth/refresh", {
          body: { refresh_token: memoryRefreshToken },
        });
        if (!response.ok) return false;
        adoptTokens(await response.json());
        return true;
      } catch {
        return false;
      } finally {
        refreshing = null;
      }
    })();
    return refreshing;
  }

  async function signIn(identity: string, password: string): Promise<void> {
    const field = identity.includes("@") ? "email" : "username";
    const credentials = { [field]: identity.trim(), password };
    if (cookieSessions) {
      const response = await send("POST", "/auth/login", {
        body: { ...credentials, session: "cookie" },
      });
      if (response.status !== 422 || !(await refusesSessionField(response.clone()))) {
        adoptTokens((await readResponse<TokenResponse>(response)).data);
        return;
      }
      cookieSessions = false;
    }
    adoptTokens((await request<TokenResponse>("POST", "/auth/login", { body: credentials })).data);
  }

  async function signOut(): Promise<void> {
    const body = memoryRefreshToken ? { refresh_token: memoryRefreshToken } : {};
    try {
      await send("POST", "/auth/logout", { body, headers: CSRF_HEADER });
    } finally {
      forget();
    }
  }

  function forget(): void {
    accessToken = null;
    memoryRefreshToken = null;
  }

  function endSession(): void {
    forget();
    for (const listener of endedListeners) listener();
  }

  return {
    request,
    get: <T>(path: string, headers?: Record<string, string>) =>
      request<T>("GET", path, { headers }),
    // No body unless given: the server refuses one, even `{}`, on actions that take none.
    post: <T>(path: string, body?: unknown, headers?: Record<string, string>) =>
      request<T>("POST", path, { body, headers }),
    patch: <T>(path: string, body: unknown, headers?: Record<string, string>) =>
      request<T>("PATCH", path, { body, headers }),
    delete: <T = undefined>(path: string, body?: unknown) => request<T>("DELETE", path, { body }),
    signIn,
    signOut,
    refresh,
    endSession,
    accessToken: () => accessToken,
    onSessionEnded(listener: () => void): () => void {
      endedListeners.add(listener);
      return () => endedListeners.delete(listener);
    },
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

async function refusesSessionField(response: Response): Promise<boolean> {
  try {
    const problem = (await response.json()) as { errors?: { path?: string }[] };
    return (problem.errors ?? []).some((error) => error.path === "/session");
  } catch {
    return false;
  }
}

export async function readResponse<T>(response: Response): Promise<ApiResponse<T>> {
  const text = response.status === 204 ? "" : await response.text();
  if (!response.ok) throw problemOf(response.status, text);
  return {
    data: (text ? JSON.parse(text) : undefined) as T,
    headers: response.headers,
    status: response.status,
  };
}

function problemOf(status: number, text: string): ApiError {
  try {
    const problem = JSON.parse(text) as {
      code?: string;
      detail?: string;
      title?: string;
      errors?: { path: string; message: string }[];
    };
    const detail = problem.detail ?? problem.title ?? `The server answered ${status}`;
    return new ApiError(status, problem.code ?? "error", detail, problem.errors ?? []);
  } catch {
    const detail = status >= 500 ? "The server could not answer" : `The server answered ${status}`;
    return new ApiError(status, "error", detail);
  }
}

/** What to tell the user about a failed call, field errors included. */
export function describeError(error: unknown): string {
  if (error instanceof ApiError) {
    // The server's detail often names the one failing field already: say it once.
    const unsaid = error.errors.filter((e) => !error.detail.includes(e.message));
    const fields = unsaid.map((e) => `${e.path.replace(/^\//, "")}: ${e.message}`);
    return fields.length > 0 ? `${error.detail} (${fields.join("; ")})` : error.detail;
  }
  if (error instanceof TypeError) return "The server cannot be reached. Check your connection.";
  return error instanceof Error ? error.message : String(error);
}

/** The one client the app uses. */
export const api = createApiClient();

import type { Deps } from "../../deps";
import type { ClientInfo } from "../../platform/context";
import type { Sql, SqlValue } from "../../platform/db/sql";
import { Unauthenticated } from "../../platform/errors";
import { recordSessionsEnded } from "../realtime/events";
import { hashOpaqueToken, newOpaqueToken } from "./opaque-tokens";

export interface TokenPair {
  access_token: string;
  token_type: "bearer";
  expires_in: number;
  refresh_token: string;
}

/** Opens a session (one login) and returns its first token pair. */
export async function openSession(
  deps: Deps,
  userId: number,
  client: ClientInfo,
): Promise<TokenPair> {
  const now = deps.clock.now();
  const refresh = newOpaqueToken();
  const sessionId = await deps.sql.transaction(async () => {
    const session = await deps.sql.get<{ id: number }>(
      `INSERT INTO sessions (user_id, created_at, last_used_at, expires_at, user_agent, ip)
       VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
      [
        userId,
        now,
        now,
        now + deps.config.refreshTokenTtlSeconds * 1000,
        client.userAgent?.slice(0, 512) ?? null,
        client.ip,
      ],
    );
    if (!session) throw new Error("INSERT … RETURNING gave no row");
    await insertRefreshToken(deps.sql, session.id, refresh.hash, now);
    await deps.sql.run("UPDATE users SET last_login_at = ? WHERE id = ?", [now, userId]);
    return session.id;
  });
  return tokenPair(deps, userId, sessionId, refresh.token);
}

/**
 * Spends a refresh token and issues the next pair of its session. A token that was already spent
 * means someone replayed it: the whole session is revoked, ending both the thief's and the
 * owner's copies.
 */
export async function rotateRefreshToken(deps: Deps, presented: string): Promise<TokenPair> {
  const now = deps.clock.now();
  const next = newOpaqueToken();
  const outcome = await deps.sql.transaction(async () => {
    const found = await deps.sql.get<{
      token_id: number;
      spent_at: number | null;
      session_id: number;
      user_id: number;
      revoked_at: number | null;
      expires_at: number;
      is_active: number;
    }>(
      `SELECT rt.id AS token_id, rt.spent_at, s.id AS session_id, s.user_id, s.revoked_at,
         s.expires_at, u.is_active
       FROM refresh_tokens rt
       JOIN sessions s ON s.id = rt.session_id
       JOIN users u ON u.id = s.user_id
       WHERE rt.token_hash = ?`,
      [hashOpaqueToken(presented)],
    );
    if (!found || found.revoked_at !== null || found.expires_at <= now || found.is_active !== 1)
      return null;
    if (found.spent_at !== null) {
      await revokeSessions(deps.sql, now, { sessionId: found.session_id });
      return "reused" as const;
    }
    await deps.sql.run("UPDATE refresh_tokens SET spent_at = ? WHERE id = ?", [
      now,
      found.token_id,
    ]);
    await insertRefreshToken(deps.sql, found.session_id, next.hash, now);
    await deps.sql.run("UPDATE sessions SET last_used_at = ?, expires_at = ? WHERE id = ?", [
      now,
      now + deps.config.refreshTokenTtlSeconds * 1000,
      found.session_id,
    ]);
    return { userId: found.user_id, sessionId: found.session_id };
  });
  if (outcome === "reused") {
    deps.log.warn("refresh token reused; session revoked");
    throw new Unauthenticated("Refresh token is no longer valid");
  }
  if (!outcome) throw new Unauthenticated("Refresh token is no longer valid");
  return tokenPair(deps, outcome.userId, outcome.sessionId, next.token);
}

/** Which sessions to end: one (of a user, when given), or a user's (but one). */
export type SessionFilter =
  | { sessionId: number; userId?: number }
  | { userId: number; exceptSessionId?: number };

/**
 * Ends the live sessions that match and records that they ended, so the sockets opened with them
 * close once this commits, on every server. Returns how many ended.
 */
export async function revokeSessions(
  sql: Sql,
  now: number,
  filter: SessionFilter,
): Promise<number> {
  const where: string[] = ["revoked_at IS NULL"];
  const params: SqlValue[] = [now];
  if ("sessionId" in filter) {
    where.push("id = ?");
    params.push(filter.sessionId);
  }
  if (filter.userId !== undefined) {
    where.push("user_id = ?");
    params.push(filter.userId);
  }
  if ("exceptSessionId" in filter && filter.exceptSessionId !== undefined) {
    where.push("id <> ?");
    params.push(filter.exceptSessionId);
  }
  // Both writes or neither (a savepoint when the caller's transaction is already open).
  return await sql.transaction(async () => {
    const ended = await sql.all<{ id: number; user_id: number }>(
      `UPDATE sessions SET revoked_at = ? WHERE ${where.join(" AND ")} RETURNING id, user_id`,
      params,
    );
    const byUser = Map.groupBy(ended, (session) => session.user_id);
    for (const [userId, ofUser] of byUser) {
      const sessionIds = ofUser.map((session) => session.id).sort((x, y) => x - y);
      await recordSessionsEnded(sql, now, { userId, sessionIds });
    }
    return ended.length;
  });
}

/** The session a refresh token belongs to, if it is live and belongs to this user. */
export async function sessionOfRefreshToken(
  sql: Sql,
  userId: number,
  token: string,
  now: number,
): Promise<number | null> {
  const row = await sql.get<{ id: number }>(
    `SELECT s.id FROM refresh_tokens rt JOIN sessions s ON s.id = rt.session_id
     WHERE rt.token_hash = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?`,
    [hashOpaqueToken(token), userId, now],
  );
  return row?.id ?? null;
}

async function insertRefreshToken(
  sql: Sql,
  sessionId: number,
  tokenHash: string,
  now: number,
): Promise<void> {
  await sql.run(
    "INSERT INTO refresh_tokens (session_id, token_hash, created_at) VALUES (?, ?, ?)",
    [sessionId, tokenHash, now],
  );
}

async function tokenPair(
  deps: Deps,
  userId: number,
  sessionId: number,
  refreshToken: string,
): Promise<TokenPair> {
  return {
    access_token: await deps.tokens.signAccess({ userId, sessionId }),
    token_type: "bearer",
    expires_in: deps.tokens.accessTtlSeconds,
    refresh_token: refreshToken,
  };
}

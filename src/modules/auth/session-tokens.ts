import { and, eq, gt, isNull } from "drizzle-orm";
import type { Deps } from "../../deps";
import type { ClientInfo } from "../../platform/context";
import type { Db } from "../../platform/db/orm";
import type { Sql } from "../../platform/db/sql";
import { refreshTokens, sessions, users } from "../../platform/db/tables";
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
    const session = await deps.db
      .insert(sessions)
      .values({
        userId,
        createdAt: now,
        lastUsedAt: now,
        expiresAt: now + deps.config.refreshTokenTtlSeconds * 1000,
        userAgent: client.userAgent?.slice(0, 512) ?? null,
        ip: client.ip,
      })
      .returning({ id: sessions.id })
      .get();
    await deps.db
      .insert(refreshTokens)
      .values({ sessionId: session.id, tokenHash: refresh.hash, createdAt: now })
      .run();
    await deps.db.update(users).set({ lastLoginAt: now }).where(eq(users.id, userId)).run();
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
    // SQL text: drizzle over `Sql` maps columns by position, and this join selects two `id`s.
    const found = await deps.sql.get<{
      tokenId: number;
      spentAt: number | null;
      sessionId: number;
      userId: number;
      revokedAt: number | null;
      expiresAt: number;
      isActive: number;
    }>(
      `SELECT rt.id AS tokenId, rt.spent_at AS spentAt, s.id AS sessionId, s.user_id AS userId,
         s.revoked_at AS revokedAt, s.expires_at AS expiresAt, u.is_active AS isActive
       FROM refresh_tokens rt
       JOIN sessions s ON s.id = rt.session_id
       JOIN users u ON u.id = s.user_id
       WHERE rt.token_hash = ?`,
      [hashOpaqueToken(presented)],
    );
    if (!found || found.revokedAt !== null || found.expiresAt <= now || found.isActive !== 1)
      return null;
    if (found.spentAt !== null) {
      await revokeSessions(deps.db, deps.sql, now, eq(sessions.id, found.sessionId));
      return "reused" as const;
    }
    await deps.db
      .update(refreshTokens)
      .set({ spentAt: now })
      .where(eq(refreshTokens.id, found.tokenId))
      .run();
    await deps.db
      .insert(refreshTokens)
      .values({ sessionId: found.sessionId, tokenHash: next.hash, createdAt: now })
      .run();
    await deps.db
      .update(sessions)
      .set({ lastUsedAt: now, expiresAt: now + deps.config.refreshTokenTtlSeconds * 1000 })
      .where(eq(sessions.id, found.sessionId))
      .run();
    return { userId: found.userId, sessionId: found.sessionId };
  });
  if (outcome === "reused") {
    deps.log.warn("refresh token reused; session revoked");
    throw new Unauthenticated("Refresh token is no longer valid");
  }
  if (!outcome) throw new Unauthenticated("Refresh token is no longer valid");
  return tokenPair(deps, outcome.userId, outcome.sessionId, next.token);
}

/**
 * Ends the live sessions that match `where` and records that they ended, so the sockets opened
 * with them close once this commits, on every server. Returns how many ended.
 */
export async function revokeSessions(
  tx: Db,
  sql: Sql,
  now: number,
  where: ReturnType<typeof eq> | ReturnType<typeof and>,
): Promise<number> {
  // Both writes or neither (a savepoint when the caller's transaction is already open).
  return await sql.transaction(async () => {
    const ended = await tx
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(where, isNull(sessions.revokedAt)))
      .returning({ id: sessions.id, userId: sessions.userId })
      .all();
    const byUser = Map.groupBy(ended, (session) => session.userId);
    for (const [userId, ofUser] of byUser) {
      const sessionIds = ofUser.map((session) => session.id);
      await recordSessionsEnded(sql, now, { userId, sessionIds });
    }
    return ended.length;
  });
}

/** The session a refresh token belongs to, if it is live and belongs to this user. */
export async function sessionOfRefreshToken(
  db: Db,
  userId: number,
  token: string,
  now: number,
): Promise<number | null> {
  const row = await db
    .select({ sessionId: sessions.id })
    .from(refreshTokens)
    .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
    .where(
      and(
        eq(refreshTokens.tokenHash, hashOpaqueToken(token)),
        eq(sessions.userId, userId),
        isNull(sessions.revokedAt),
        gt(sessions.expiresAt, now),
      ),
    )
    .get();
  return row?.sessionId ?? null;
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

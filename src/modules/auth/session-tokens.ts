import type { Database } from "bun:sqlite";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Deps } from "../../deps";
import type { ClientInfo } from "../../platform/context";
import type { Db, Tx } from "../../platform/db/client";
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
  const sessionId = deps.db.transaction((tx) => {
    const session = tx
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
    tx.insert(refreshTokens)
      .values({ sessionId: session.id, tokenHash: refresh.hash, createdAt: now })
      .run();
    tx.update(users).set({ lastLoginAt: now }).where(eq(users.id, userId)).run();
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
  const outcome = deps.db.transaction((tx) => {
    const found = tx
      .select({
        tokenId: refreshTokens.id,
        spentAt: refreshTokens.spentAt,
        sessionId: sessions.id,
        userId: sessions.userId,
        revokedAt: sessions.revokedAt,
        expiresAt: sessions.expiresAt,
        isActive: users.isActive,
      })
      .from(refreshTokens)
      .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(refreshTokens.tokenHash, hashOpaqueToken(presented)))
      .get();
    if (!found || found.revokedAt !== null || found.expiresAt <= now || !found.isActive)
      return null;
    if (found.spentAt !== null) {
      revokeSessions(tx, deps.sqlite, now, eq(sessions.id, found.sessionId));
      return "reused" as const;
    }
    tx.update(refreshTokens).set({ spentAt: now }).where(eq(refreshTokens.id, found.tokenId)).run();
    tx.insert(refreshTokens)
      .values({ sessionId: found.sessionId, tokenHash: next.hash, createdAt: now })
      .run();
    tx.update(sessions)
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
export function revokeSessions(
  tx: Tx | Db,
  sqlite: Database,
  now: number,
  where: ReturnType<typeof eq> | ReturnType<typeof and>,
): number {
  // Both writes or neither (a savepoint when the caller's transaction is already open).
  return sqlite.transaction(() => {
    const ended = tx
      .update(sessions)
      .set({ revokedAt: now })
      .where(and(where, isNull(sessions.revokedAt)))
      .returning({ id: sessions.id, userId: sessions.userId })
      .all();
    const byUser = Map.groupBy(ended, (session) => session.userId);
    for (const [userId, ofUser] of byUser) {
      const sessionIds = ofUser.map((session) => session.id);
      recordSessionsEnded(sqlite, now, { userId, sessionIds });
    }
    return ended.length;
  })();
}

/** The session a refresh token belongs to, if it is live and belongs to this user. */
export function sessionOfRefreshToken(
  db: Db,
  userId: number,
  token: string,
  now: number,
): number | null {
  const row = db
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

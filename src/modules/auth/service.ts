import type { StoreDeps } from "../../deps";
import { toIso } from "../../platform/clock";
import type { ActorContext, ClientInfo, PublicContext } from "../../platform/context";
import { isUniqueViolation } from "../../platform/db/errors";
import type { Role, UserRow } from "../../platform/db/tables";
import {
  AppError,
  BadRequest,
  Forbidden,
  NotFound,
  Unauthenticated,
  ValidationFailed,
} from "../../platform/errors";
import { presentUser } from "../users/present";
import { insertUser, selectUserByLogin } from "../users/rows";
import { isCommonPassword } from "./common-passwords";
import {
  openSession,
  revokeSessions,
  rotateRefreshToken,
  sessionOfRefreshToken,
  type TokenPair,
} from "./session-tokens";
import { enqueueEmailVerification } from "./verification";

export interface SignupInput {
  username: string;
  email: string;
  password: string;
  full_name?: string | null;
}

export interface Credentials {
  /** An email address or a username. */
  login: string;
  password: string;
}

/** Sign-up and profile changes give the same answer, so a prober cannot tell them apart. */
export const DUPLICATE_ACCOUNT = "Username or email already exists";
const BAD_CREDENTIALS = "Incorrect email or password";

/** Refuses passwords on the common list; length is checked by the request schema. */
export function assertAcceptablePassword(password: string, field = "/password"): void {
  if (isCommonPassword(password)) {
    throw new ValidationFailed("Choose a less common password", [
      { path: field, message: "This password is too common; choose another" },
    ]);
  }
}

/** What creating an account needs; commands build no more than this. */
export type AccountDeps = Pick<StoreDeps, "sql" | "clock" | "passwords">;

export interface AccountOptions {
  /** The operator or an admin vouches for the address: no verification email goes out. */
  verified?: boolean;
  /** Written in the same insert, so no crash can leave a plain user behind. */
  role?: Role;
  /** Runs in the insert's transaction, so what it writes exists exactly when the account does. */
  afterInsert?: (user: UserRow) => Promise<unknown>;
}

/** Creates an account from input the route or command has validated. */
export async function createAccount(
  deps: AccountDeps,
  input: SignupInput,
  options: AccountOptions = {},
): Promise<UserRow> {
  assertAcceptablePassword(input.password);
  const email = input.email.trim().toLowerCase();
  const username = input.username.trim();
  if ((await selectUserByLogin(deps.sql, email)) || (await selectUserByLogin(deps.sql, username))) {
    throw new BadRequest(DUPLICATE_ACCOUNT);
  }
  const passwordHash = await deps.passwords.hash(input.password);
  const now = deps.clock.now();
  try {
    return await deps.sql.transaction(async () => {
      const created = await insertUser(deps.sql, {
        username,
        email,
        passwordHash,
        fullName: input.full_name?.trim() || null,
        emailVerified: options.verified ?? false,
        role: options.role ?? "user",
        createdAt: now,
        updatedAt: now,
      });
      await options.afterInsert?.(created);
      return created;
    });
  } catch (error) {
    // Another sign-up with the same name may have won the race while we were hashing.
    if (isUniqueViolation(error)) throw new BadRequest(DUPLICATE_ACCOUNT);
    throw error;
  }
}

/** Public sign-up: a plain user whose address is verified by the code emailed to it. */
export async function signup({ deps }: PublicContext, input: SignupInput) {
  const user = await createAccount(deps, input, {
    afterInsert: (created) => enqueueEmailVerification(deps, created),
  });
  deps.log.info("user signed up", { user_id: user.id });
  return { message: "User created successfully", user: presentUser(user) };
}

/**
 * Checks credentials in the same time whether or not the account exists: an unknown login
 * still spends one password verification, so timing does not reveal which accounts exist.
 */
export async function login(
  { deps }: PublicContext,
  credentials: Credentials,
  client: ClientInfo,
): Promise<TokenPair> {
  const user = await selectUserByLogin(deps.sql, credentials.login.trim());
  if (!user) {
    await deps.passwords.verifyAgainstDummy(credentials.password);
    throw new Unauthenticated(BAD_CREDENTIALS);
  }
  if (!(await deps.passwords.verify(credentials.password, user.passwordHash))) {
    throw new Unauthenticated(BAD_CREDENTIALS);
  }
  if (!user.isActive) throw new Forbidden("This account has been deactivated");
  // Only after the password matched, so that this answer reveals nothing to a stranger.
  if (deps.config.requireEmailVerification && !user.emailVerified) {
    throw new Forbidden(
      "Verify your email address before signing in: enter the code we emailed you at POST /api/v1/auth/verify-email, or ask for a new one at POST /api/v1/auth/resend-verification",
    );
  }
  return openSession(deps, user.id, client);
}

export async function refresh({ deps }: PublicContext, refreshToken: string): Promise<TokenPair> {
  return await rotateRefreshToken(deps, refreshToken);
}

/**
 * Ends the caller's session and the sessions of the refresh tokens the caller holds (in the body,
 * in the browser's cookie), each only if it is the caller's own.
 */
export async function logout(
  { deps, actor }: ActorContext,
  refreshTokens: readonly string[] = [],
): Promise<void> {
  const now = deps.clock.now();
  const others: (number | null)[] = [];
  for (const token of refreshTokens) {
    others.push(await sessionOfRefreshToken(deps.sql, actor.userId, token, now));
  }
  await revokeSessions(deps.sql, now, { sessionId: actor.sessionId });
  for (const other of others) {
    if (other !== null) await revokeSessions(deps.sql, now, { sessionId: other });
  }
}

export async function logoutAll({ deps, actor }: ActorContext): Promise<void> {
  await revokeSessions(deps.sql, deps.clock.now(), { userId: actor.userId });
}

export async function listSessions({ deps, actor }: ActorContext) {
  const rows = await deps.sql.all<{
    id: number;
    created_at: number;
    last_used_at: number;
    user_agent: string | null;
    ip: string | null;
  }>(
    `SELECT id, created_at, last_used_at, user_agent, ip FROM sessions
     WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?
     ORDER BY last_used_at DESC, id DESC`,
    [actor.userId, deps.clock.now()],
  );
  return rows.map((row) => ({
    id: row.id,
    created_at: toIso(row.created_at),
    last_used_at: toIso(row.last_used_at),
    user_agent: row.user_agent,
    ip: row.ip,
    current: row.id === actor.sessionId,
  }));
}

/** Revokes one of the caller's own sessions; anyone else's is "not found". */
export async function revokeSession(
  { deps, actor }: ActorContext,
  sessionId: number,
): Promise<void> {
  const revoked = await revokeSessions(deps.sql, deps.clock.now(), {
    sessionId,
    userId: actor.userId,
  });
  if (revoked === 0) throw new NotFound("Session not found");
}

/** RFC 6749 section 5.2 error, carried inside the usual problem body. */
export class OAuthError extends AppError {
  constructor(error: "invalid_grant" | "invalid_request", detail: string) {
    super(400, "bad_request", detail);
    this.extensions = { error, error_description: detail };
  }
}

/** The OAuth2 token endpoint: the password grant signs in, refresh_token rotates. */
export async function grantToken(
  context: PublicContext,
  form: {
    grant_type: "password" | "refresh_token";
    username?: string;
    password?: string;
    refresh_token?: string;
  },
  client: ClientInfo,
): Promise<TokenPair> {
  if (form.grant_type === "refresh_token") {
    if (!form.refresh_token) throw new OAuthError("invalid_request", "refresh_token is required");
    return asOAuthGrant(refresh(context, form.refresh_token));
  }
  if (!form.username || form.password === undefined) {
    throw new OAuthError("invalid_request", "username and password are required");
  }
  return asOAuthGrant(login(context, { login: form.username, password: form.password }, client));
}

/** A refused credential becomes RFC 6749's invalid_grant; anything else passes through. */
async function asOAuthGrant(pair: Promise<TokenPair>): Promise<TokenPair> {
  try {
    return await pair;
  } catch (error) {
    if (error instanceof Unauthenticated) throw new OAuthError("invalid_grant", error.detail);
    throw error;
  }
}

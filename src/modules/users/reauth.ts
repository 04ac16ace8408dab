import type { Deps } from "../../deps";
import type { ActorContext } from "../../platform/context";
import { BadRequest, Unauthenticated } from "../../platform/errors";
import { revokeSessions } from "../auth/session-tokens";

/**
 * Wrong current passwords a session may send (to change the email or password, or delete the
 * account) before it is signed out. Whoever holds a stolen access token could otherwise guess the
 * password here, where the sign-in limits do not apply; the owner, after a few typos, just signs
 * in again.
 */
export const MAX_WRONG_PASSWORDS_PER_SESSION = 5;

// Per app instance (tests build many); a restart forgets the counts, the sessions stay limited.
const wrongBySession = new WeakMap<Deps, Map<number, number>>();

/** Checks the password the caller re-entered; throws 400, or 401 once the session is spent. */
export async function verifyCurrentPassword(
  { deps, actor }: ActorContext,
  password: string,
  passwordHash: string,
  detail: string,
): Promise<void> {
  let counts = wrongBySession.get(deps);
  if (!counts) {
    counts = new Map();
    wrongBySession.set(deps, counts);
  }
  if (await deps.passwords.verify(password, passwordHash)) {
    counts.delete(actor.sessionId);
    return;
  }
  const wrong = (counts.get(actor.sessionId) ?? 0) + 1;
  if (wrong < MAX_WRONG_PASSWORDS_PER_SESSION) {
    counts.set(actor.sessionId, wrong);
    throw new BadRequest(detail);
  }
  counts.delete(actor.sessionId);
  await revokeSessions(deps.sql, deps.clock.now(), { sessionId: actor.sessionId });
  deps.log.warn("session signed out after repeated wrong passwords", {
    user_id: actor.userId,
    session_id: actor.sessionId,
  });
  throw new Unauthenticated("Too many wrong passwords: this session has been signed out");
}

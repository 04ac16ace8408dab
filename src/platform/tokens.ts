import { jwt } from "@elysiajs/jwt";
import type { Clock } from "./clock";

export interface AccessClaims {
  userId: number;
  sessionId: number;
}

export interface TokenService {
  readonly accessTtlSeconds: number;
  signAccess(claims: AccessClaims): Promise<string>;
  /** The claims of a valid access token, or null for anything expired, tampered or foreign. */
  verifyAccess(token: string): Promise<AccessClaims | null>;
}

const ALGORITHM = "HS256";
const ACCESS_TYPE = "access";

/**
 * Access tokens are HS256 JWTs naming the user (`sub`) and the session (`sid`). The HMAC key is
 * imported once here; handing jose a CryptoKey avoids a key import on every request.
 */
export async function createTokenService(
  secret: string,
  accessTtlSeconds: number,
  clock: Clock,
): Promise<TokenService> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
  const signer = jwt({ name: "jwt", secret: key, alg: ALGORITHM }).decorator.jwt;

  return {
    accessTtlSeconds,
    signAccess({ userId, sessionId }) {
      const nowSeconds = Math.floor(clock.now() / 1000);
      return signer.sign({
        sub: String(userId),
        sid: sessionId,
        typ: ACCESS_TYPE,
        exp: nowSeconds + accessTtlSeconds,
      });
    },
    async verifyAccess(token) {
      const payload = await signer.verify(token, {
        algorithms: [ALGORITHM],
        currentDate: new Date(clock.now()),
      });
      if (!payload || payload.typ !== ACCESS_TYPE || typeof payload.exp !== "number") return null;
      const userId = Number(payload.sub);
      const sessionId = payload.sid;
      if (!Number.isSafeInteger(userId) || typeof sessionId !== "number") return null;
      if (!Number.isSafeInteger(sessionId)) return null;
      return { userId, sessionId };
    },
  };
}

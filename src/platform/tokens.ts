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
// ~10k live clients; each entry is a token (~200 bytes) and two numbers.
const VERIFIED_CACHE_SIZE = 10_000;
// RFC 7515 compact serialization: header, payload and signature, unpadded base64url.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/**
 * Whether a token is in the one canonical form we sign: three unpadded base64url segments, each
 * exactly the encoding of its own bytes. Decoders also take `=` padding, `+` and `/`, or a last
 * character with stray low bits, so one signature has many spellings; refusing all but one keeps
 * a token's text the token (for the verified cache, logs and revocation lists alike).
 */
function isCanonicalCompactJws(token: string): boolean {
  if (!COMPACT_JWS.test(token)) return false;
  return token
    .split(".")
    .every((segment) => Buffer.from(segment, "base64url").toString("base64url") === segment);
}

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

  // A client sends the same access token with every request until it expires. Checking its
  // signature and claims costs ~20 µs, about as much as the rest of authentication, so tokens
  // that passed are remembered by their exact text; only the expiry is checked again. Revocation
  // is unaffected: the session is still looked up on every request.
  const verified = new Map<string, { claims: AccessClaims; exp: number }>();
  const remember = (token: string, claims: AccessClaims, exp: number) => {
    if (verified.size >= VERIFIED_CACHE_SIZE) {
      // Oldest first (a Map iterates in insertion order): bounded memory, whatever clients send.
      const oldest = verified.keys().next().value;
      if (oldest !== undefined) verified.delete(oldest);
    }
    verified.set(token, { claims, exp });
  };

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
      const now = clock.now();
      // The cache holds canonical texts only (checked below, before anything is added), so a
      // text found in it needs no second look at its form.
      const known = verified.get(token);
      if (known) {
        // The same rule as jose's: a token is expired once `exp` is not after the current second.
        if (known.exp > Math.floor(now / 1000)) return known.claims;
        verified.delete(token);
        return null;
      }
      if (!isCanonicalCompactJws(token)) return null;
      const payload = await signer.verify(token, {
        algorithms: [ALGORITHM],
        currentDate: new Date(now),
      });
      if (!payload || payload.typ !== ACCESS_TYPE || typeof payload.exp !== "number") return null;
      const userId = Number(payload.sub);
      const sessionId = payload.sid;
      if (!Number.isSafeInteger(userId) || typeof sessionId !== "number") return null;
      if (!Number.isSafeInteger(sessionId)) return null;
      const claims = { userId, sessionId };
      // Only tokens whose validity is exp alone are remembered (ours never carry nbf).
      if (payload.nbf === undefined) remember(token, claims, payload.exp);
      return claims;
    },
  };
}

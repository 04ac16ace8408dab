/**
 * Opaque bearer secrets (refresh tokens, password-reset tokens): 256 random bits, of which only
 * the SHA-256 is stored. A fast hash is enough because the token is random, not a password.
 */
export function newOpaqueToken(): { token: string; hash: string } {
  const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url");
  return { token, hash: hashOpaqueToken(token) };
}

export function hashOpaqueToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("hex");
}

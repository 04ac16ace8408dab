import { PreconditionFailed } from "./errors";

/** RFC 9110 preconditions the client sent with a write. */
export interface Preconditions {
  ifMatch?: string | null;
}

/** If-Match uses the strong comparison: weak validators never match (RFC 9110 section 13.1.1). */
export function assertIfMatch(currentEtag: string, { ifMatch }: Preconditions): void {
  if (ifMatch === undefined || ifMatch === null) return;
  if (ifMatch.trim() === "*") return;
  const matches = ifMatch.split(",").some((candidate) => candidate.trim() === currentEtag);
  if (!matches) throw new PreconditionFailed();
}

/** If-None-Match uses the weak comparison (RFC 9110 section 13.1.2). */
export function matchesNoneOf(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  if (header.trim() === "*") return true;
  return header.split(",").some((candidate) => candidate.trim().replace(/^W\//, "") === etag);
}

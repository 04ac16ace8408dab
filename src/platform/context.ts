import type { Deps } from "../deps";
import type { Actor } from "./http/auth";

/** What every service operation receives: the process's dependencies and, if signed in, who asks. */
export interface PublicContext {
  deps: Deps;
}

export interface ActorContext extends PublicContext {
  actor: Actor;
}

/** Where a request came from, recorded on the sessions it opens. */
export interface ClientInfo {
  ip: string;
  userAgent: string | null;
}

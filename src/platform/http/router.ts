import { Elysia } from "elysia";

/**
 * Every module's routes hang off one of these. `normalize: false` makes Elysia reject unknown
 * body fields (422) instead of silently dropping them, as the API contract requires.
 */
export function createRouter<const Prefix extends string>(prefix: Prefix, tag: string) {
  return new Elysia({ prefix, normalize: false, detail: { tags: [tag] } });
}

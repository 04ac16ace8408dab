import { type AnyElysia, Elysia, type TSchema } from "elysia";
import { ValidationFailed } from "../errors";
import { type BodyRule, bodyRuleOf, enforceBodyRule } from "./body-rules";
import { rejectNulInBody, rejectNulInQuery } from "./nul-text";

export const REPEATED_QUERY_MESSAGE = "Give this parameter once";

/**
 * Every module's routes hang off one of these. `normalize: false` makes Elysia reject unknown
 * body fields (422) instead of silently dropping them, as the API contract requires.
 *
 * These checks run here, once for every route, in `beforeHandle`: after the auth macro (anonymous
 * callers still get 401 first) and after Elysia's own validation.
 * - A body the route's schema does not describe is refused (see enforceBodyRule).
 * - Text holding the NUL character is refused, in bodies and query parameters (nul-text.ts).
 * - Elysia keeps only the last value of a repeated query parameter (`?limit=1&limit=2` meant
 *   limit=2), so a client that builds a query wrongly would silently get other results. A
 *   repeated parameter that the route declares as a single value is refused.
 */
export function createRouter<const Prefix extends string>(prefix: Prefix, tag: string) {
  const router = new Elysia({ prefix, normalize: false, detail: { tags: [tag] } });
  const rulesOf = routeRules(router);
  return router.onBeforeHandle(({ body, request, route }) => {
    const rules = rulesOf(request.method, route);
    enforceBodyRule(rules.body, request, body);
    rejectNulInBody(body);
    const query = request.url.indexOf("?");
    if (query !== -1) rejectNulInQuery(request.url.slice(query + 1));
    // A single parameter cannot repeat: most requests are done before parsing anything.
    if (query === -1 || request.url.indexOf("&", query) === -1) return;
    rejectRepeated(request.url.slice(query + 1), rules.singleValued);
  });
}

function rejectRepeated(search: string, names: ReadonlySet<string>): void {
  if (names.size === 0) return;
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [name] of new URLSearchParams(search)) {
    if (!names.has(name)) continue;
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
  }
  const [first] = repeated;
  if (first === undefined) return;
  const more = repeated.size > 1 ? ` (and ${repeated.size - 1} more)` : "";
  throw new ValidationFailed(
    `Invalid query parameter ${first}: ${REPEATED_QUERY_MESSAGE}${more}`,
    [...repeated].map((name) => ({ path: `/${name}`, message: REPEATED_QUERY_MESSAGE })),
  );
}

const NONE: ReadonlySet<string> = new Set();

interface RouteRules {
  body: BodyRule;
  singleValued: ReadonlySet<string>;
}

/**
 * What a route's schemas ask of a request, worked out once per route. The router knows its
 * routes by its own prefix only; the request's route template may carry more in front (the
 * `/api/v1` group), so the longest route path that ends the template is the route.
 */
function routeRules(router: AnyElysia) {
  const cache = new Map<string, RouteRules>();
  return (method: string, template: string): RouteRules => {
    const key = `${method} ${template}`;
    let rules = cache.get(key);
    if (!rules) {
      let match: { path: string; hooks: { query?: unknown; body?: unknown } } | undefined;
      for (const route of router.routes) {
        if (route.method !== method || !template.endsWith(route.path)) continue;
        if (!match || route.path.length > match.path.length) match = route;
      }
      rules = {
        body: bodyRuleOf(match?.hooks.body),
        singleValued: singleValuedNames(match?.hooks.query),
      };
      cache.set(key, rules);
    }
    return rules;
  };
}

function singleValuedNames(query: unknown): ReadonlySet<string> {
  const properties = (query as { properties?: Record<string, TSchema> } | undefined)?.properties;
  if (!properties) return NONE;
  const names = Object.entries(properties)
    .filter(([, schema]) => !acceptsMany(schema))
    .map(([name]) => name);
  return new Set(names);
}

function acceptsMany(schema: TSchema): boolean {
  return schema.type === "array" || (schema.anyOf ?? []).some(acceptsMany);
}

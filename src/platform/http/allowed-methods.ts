/** A route as Elysia lists it: the method and the path template (`/api/v1/tasks/:id`). */
export interface RouteTemplate {
  method: string;
  path: string;
}

/** The order an `Allow` header lists methods in; any others follow alphabetically. */
const METHOD_ORDER = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"];

interface Node {
  literals: Map<string, Node>;
  param?: Node;
  /** Methods of the templates that end at this node. */
  methods: Set<string>;
  /** Methods of the templates that end in `*` here, which take any rest of the path. */
  rest: Set<string>;
}

/**
 * For a request that no route matched: the methods its path does take, read from the route
 * templates alone (never from the resources they name), or an empty list when no template fits
 * the path at all (404, not 405). The templates are indexed once, by path segment.
 *
 * OPTIONS alone does not make a path exist: the CORS plugin answers it on every path (`/*`).
 * A WebSocket route is a GET with an upgrade. HEAD is answered wherever GET is.
 */
export function createAllowedMethods(routes: readonly RouteTemplate[]) {
  const root = newNode();
  for (const route of routes) addTemplate(root, route);
  return (path: string): string[] => {
    const methods = new Set<string>();
    collect(root, path.split("/"), 0, methods);
    if (![...methods].some((method) => method !== "OPTIONS")) return [];
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort(byMethodOrder);
  };
}

function newNode(): Node {
  return { literals: new Map(), methods: new Set(), rest: new Set() };
}

function addTemplate(root: Node, { method, path }: RouteTemplate): void {
  const verb = method === "WS" ? "GET" : method;
  // ALL matches every method, so a path it serves never reaches the not-found handler.
  if (verb === "ALL") return;
  let node = root;
  for (const segment of path.split("/")) {
    if (segment === "*") {
      node.rest.add(verb);
      return;
    }
    if (segment.startsWith(":")) {
      node.param ??= newNode();
      node = node.param;
      continue;
    }
    let next = node.literals.get(segment);
    if (!next) {
      next = newNode();
      node.literals.set(segment, next);
    }
    node = next;
  }
  node.methods.add(verb);
}

/** Every template that fits, not only the first: `/users/me` and `/users/:id` may both do. */
function collect(node: Node, segments: string[], index: number, into: Set<string>): void {
  for (const method of node.rest) into.add(method);
  if (index === segments.length) {
    for (const method of node.methods) into.add(method);
    return;
  }
  const segment = segments[index] ?? "";
  const literal = node.literals.get(segment);
  if (literal) collect(literal, segments, index + 1, into);
  // A parameter takes a whole, non-empty segment: `/tasks/` is not `/tasks/:id`.
  if (node.param && segment !== "") collect(node.param, segments, index + 1, into);
}

function byMethodOrder(a: string, b: string): number {
  const rank = (method: string) => {
    const index = METHOD_ORDER.indexOf(method);
    return index === -1 ? METHOD_ORDER.length : index;
  };
  return rank(a) - rank(b) || a.localeCompare(b);
}

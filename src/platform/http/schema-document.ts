import { COMPONENTS, isDeclaredOpen } from "./schemas";

/**
 * Turns the route schemas in the generated document into plain, standard JSON Schema:
 *
 * - a schema named with `component()` (its `$id` is `#/components/schemas/<Name>`, as on
 *   Elysia's own models) goes to `components.schemas` once and is replaced by a `$ref`;
 * - the server's `error` messages (what a 422 says about a field) are not JSON Schema: they stay
 *   in the server;
 * - Elysia's `t.Integer` is a union that also accepts a numeric string; the server only ever
 *   sends numbers, so the document shows the number alone.
 *
 * It walks schemas by JSON Schema's own structure, so a property that happens to be called
 * `error` (as in OAuthProblem) is left alone.
 */

type Schema = Record<string, unknown>;

const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "dependentSchemas"];
const SCHEMA_LISTS = ["allOf", "anyOf", "oneOf", "prefixItems"];
const SCHEMA_VALUES = [
  "items",
  "additionalProperties",
  "unevaluatedProperties",
  "contains",
  "not",
  "if",
  "then",
  "else",
  "propertyNames",
];
/** Keywords of the server's validator that JSON Schema does not have. */
const SERVER_ONLY = ["error"];

interface OperationLike {
  parameters?: unknown[];
  requestBody?: { content?: Record<string, unknown> };
  responses?: Record<
    string,
    { content?: Record<string, unknown>; headers?: Record<string, unknown> }
  >;
}

export interface DocumentLike {
  paths: Record<string, Record<string, OperationLike>>;
  components?: { schemas?: Record<string, unknown> };
}

/**
 * Normalizes every schema of the document in place and returns its `components.schemas`: the
 * named schemas found, the plugin's own (Elysia models) and the Problem schema.
 */
export function collectComponents(document: DocumentLike, problem: Schema): Record<string, Schema> {
  const components = new Map<string, Schema>();
  const visit = (holders: Iterable<unknown> = []) => {
    for (const holder of holders) {
      // The plugin writes `content: { type: "void" }` for an empty body: no schema holder.
      if (isSchema(holder)) holder.schema = normalize(holder.schema, components);
    }
  };
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations)) {
      visit(operation.parameters);
      visit(Object.values(operation.requestBody?.content ?? {}));
      for (const response of Object.values(operation.responses ?? {})) {
        visit(Object.values(response.content ?? {}));
        visit(Object.values(response.headers ?? {}));
      }
    }
  }
  const named: Record<string, Schema> = {};
  for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
    named[name] = normalizeChildren(withoutId(schema as Schema), components);
  }
  named.Problem = normalizeChildren(problem, components);
  for (const [name, schema] of components) named[name] = schema;
  return Object.fromEntries(Object.entries(named).sort(([a], [b]) => a.localeCompare(b)));
}

function normalize(node: unknown, components: Map<string, Schema>): unknown {
  if (!isSchema(node)) return node;
  const schema = normalizeChildren(numberAlone(node), components);
  const id = schema.$id;
  if (typeof id !== "string" || !id.startsWith(COMPONENTS)) return schema;
  const name = id.slice(COMPONENTS.length);
  const named = withoutId(schema);
  if (isDeclaredOpen(id)) delete named.additionalProperties;
  const known = components.get(name);
  if (known && JSON.stringify(known) !== JSON.stringify(named)) {
    throw new Error(`Two different schemas are named ${name}`);
  }
  components.set(name, named);
  return { $ref: id };
}

function normalizeChildren(schema: Schema, components: Map<string, Schema>): Schema {
  const result: Schema = { ...schema };
  for (const keyword of SERVER_ONLY) delete result[keyword];
  for (const keyword of SCHEMA_MAPS) {
    const map = result[keyword];
    if (!isSchema(map)) continue;
    result[keyword] = Object.fromEntries(
      Object.entries(map).map(([name, child]) => [name, normalize(child, components)]),
    );
  }
  for (const keyword of SCHEMA_LISTS) {
    const list = result[keyword];
    if (Array.isArray(list)) result[keyword] = list.map((child) => normalize(child, components));
  }
  for (const keyword of SCHEMA_VALUES) {
    if (isSchema(result[keyword])) result[keyword] = normalize(result[keyword], components);
  }
  return result;
}

/** Elysia's `anyOf: [numeric string, number]` becomes the number. */
function numberAlone(schema: Schema): Schema {
  const { anyOf, ...rest } = schema;
  if (!Array.isArray(anyOf) || anyOf.length !== 2) return schema;
  const [text, number] = anyOf as Schema[];
  const numericText =
    text?.type === "string" && ["integer", "numeric"].includes(String(text.format));
  if (numericText && (number?.type === "integer" || number?.type === "number")) {
    return { ...rest, ...number };
  }
  return schema;
}

function withoutId(schema: Schema): Schema {
  const { $id: _, ...rest } = schema;
  return rest;
}

function isSchema(node: unknown): node is Schema {
  return typeof node === "object" && node !== null && !Array.isArray(node);
}

import type { TestContext } from "./app";

/** The parts of the served OpenAPI document that the tests read. */
export type SchemaDoc = Record<string, unknown> & {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, SchemaDoc>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
};
export interface ParameterDoc {
  name: string;
  in: string;
  required?: boolean;
  schema: SchemaDoc;
}
export interface OperationDoc {
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters?: ParameterDoc[];
  requestBody?: { required?: boolean; content: Record<string, { schema: SchemaDoc }> };
  responses: Record<string, { content?: Record<string, { schema: SchemaDoc }> }>;
}
export interface OpenApiDoc {
  openapi: string;
  servers?: { url: string }[];
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, OperationDoc>>;
  components: { schemas: Record<string, SchemaDoc>; securitySchemes: Record<string, unknown> };
}

export async function fetchDocument(ctx: TestContext): Promise<OpenApiDoc> {
  const response = await ctx.request("/docs/json");
  if (response.status !== 200) throw new Error(`/docs/json answered ${response.status}`);
  return (await response.json()) as OpenApiDoc;
}

export const COMPONENT_PREFIX = "#/components/schemas/";

/** A schema, or the component its `$ref` names. */
export function resolveSchema(doc: OpenApiDoc, schema: SchemaDoc | undefined): SchemaDoc {
  if (!schema?.$ref) return schema ?? {};
  const found = doc.components.schemas[schema.$ref.slice(COMPONENT_PREFIX.length)];
  if (!found) throw new Error(`${schema.$ref} is not in components.schemas`);
  return found;
}

export interface DocumentedOperation {
  method: string;
  path: string;
  key: string;
  operation: OperationDoc;
}

export function operationsOf(doc: OpenApiDoc): DocumentedOperation[] {
  return Object.entries(doc.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      path,
      key: `${method.toUpperCase()} ${path}`,
      operation,
    })),
  );
}

/** The JSON body schema of an operation, resolved. */
export function bodySchemaOf(doc: OpenApiDoc, operation: OperationDoc): SchemaDoc | undefined {
  const media = operation.requestBody?.content["application/json"];
  return media ? resolveSchema(doc, media.schema) : undefined;
}

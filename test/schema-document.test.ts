import { describe, expect, test } from "bun:test";
import { collectComponents, type DocumentLike } from "../src/platform/http/schema-document";

// The document step on its own, for what the app's routes do not show: models named the
// Elysia way, and a name given to two different schemas.
const PROBLEM = { type: "object", properties: { title: { type: "string" } } };
const named = (name: string, schema: object) => ({
  ...schema,
  $id: `#/components/schemas/${name}`,
});

function documentWith(schema: unknown, components?: Record<string, unknown>): DocumentLike {
  return {
    paths: {
      "/things": {
        post: {
          requestBody: { content: { "application/json": { schema } } },
          responses: { "204": { content: { type: "void" } as Record<string, unknown> } },
        },
      },
    },
    ...(components ? { components: { schemas: components } } : {}),
  };
}

describe("collectComponents", () => {
  test("moves a named schema to components, with its error messages left out", () => {
    const thing = named("Thing", {
      type: "object",
      properties: { name: { type: "string", maxLength: 5, error: "Too long" } },
    });
    const document = documentWith(thing);
    const schemas = collectComponents(document, PROBLEM);
    expect(document.paths["/things"]?.post?.requestBody?.content?.["application/json"]).toEqual({
      schema: { $ref: "#/components/schemas/Thing" },
    });
    expect(schemas).toEqual({
      Problem: PROBLEM,
      Thing: { type: "object", properties: { name: { type: "string", maxLength: 5 } } },
    });
  });

  test("keeps the plugin's own components (Elysia models) under their name, normalized", () => {
    const model = named("Model", {
      type: "object",
      properties: {
        count: { anyOf: [{ type: "string", format: "integer" }, { type: "integer" }] },
        error: { type: "string", error: "A property called error stays" },
      },
    });
    const schemas = collectComponents(
      documentWith({ $ref: "#/components/schemas/Model" }),
      PROBLEM,
    );
    expect(schemas).toEqual({ Problem: PROBLEM });
    const withModel = collectComponents(
      documentWith({ $ref: "#/components/schemas/Model" }, { Model: model }),
      PROBLEM,
    );
    expect(withModel.Model).toEqual({
      type: "object",
      properties: { count: { type: "integer" }, error: { type: "string" } },
    });
  });

  test("refuses one name for two different schemas", () => {
    const one = named("Thing", { type: "object", properties: { a: { type: "string" } } });
    const other = named("Thing", { type: "object", properties: { b: { type: "string" } } });
    const document = documentWith({ type: "object", properties: { one, other } });
    expect(() => collectComponents(document, PROBLEM)).toThrow(
      "Two different schemas are named Thing",
    );
  });
});

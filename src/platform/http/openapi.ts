import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
// Swagger UI is served from the binary itself, so the docs work on a server with no internet.
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerJs from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import { VERSION } from "../../version";
import { type AppRoute, describePlatform } from "./openapi-platform";

const ASSETS = "/docs/assets";

const DESCRIPTION = `Kanbun: personal todo lists and shared kanban boards.

Errors are RFC 9457 problem details (\`application/problem+json\`) with a stable \`code\`.
A method that a path does not support gets 405 \`method_not_allowed\` with an \`Allow\` header.
Sign in with **Authorize** (OAuth2 password flow against \`/api/v1/auth/token\`) or paste an
access token from \`POST /api/v1/auth/login\` as a bearer token. This page keeps neither the
password nor the tokens: a reload signs you out of it.`;

const SPEC_PATH = "/docs/json";

// The plugin points the page at a relative URL, which /docs/ resolves to /docs/docs/json. Its
// options type leaves `url` out, but the value given here replaces the plugin's own.
const absoluteSpecUrl = { url: SPEC_PATH } as object;

export function openapiDocs() {
  const docs = new Elysia();
  // describePlatform is hooked in before the plugin, so that it runs on the plugin's spec route.
  return docs
    .get(
      `${ASSETS}/swagger-ui-bundle.js`,
      () => assetResponse(swaggerJs, "text/javascript; charset=utf-8"),
      {
        detail: { hide: true },
      },
    )
    .get(`${ASSETS}/swagger-ui.css`, () => assetResponse(swaggerCss, "text/css; charset=utf-8"), {
      detail: { hide: true },
    })
    .onAfterHandle(({ path, response }) =>
      path === SPEC_PATH ? describePlatform(response, appRoutes(docs)) : undefined,
    )
    .use(
      openapi({
        path: "/docs",
        specPath: SPEC_PATH,
        provider: "swagger-ui",
        exclude: { paths: [`${ASSETS}/swagger-ui-bundle.js`, `${ASSETS}/swagger-ui.css`] },
        swagger: {
          ...absoluteSpecUrl,
          cdn: `${ASSETS}/swagger-ui-bundle.js`,
          theme: `${ASSETS}/swagger-ui.css`,
          autoDarkMode: false,
          // Persisting would keep the Authorize form (username, password) and both tokens in
          // localStorage, readable by any script on this origin and surviving the session.
          persistAuthorization: false,
        },
        documentation: {
          info: { title: "Kanbun API", version: VERSION, description: DESCRIPTION },
          // Relative to the document: the server that serves it.
          servers: [{ url: "/", description: "This server" }],
          tags: [
            { name: "Auth", description: "Sign-up, sign-in, tokens and sessions" },
            { name: "Users", description: "The signed-in user" },
            { name: "Tasks", description: "Personal tasks and board cards" },
            { name: "Boards", description: "Shared boards, their members, lists and activity" },
            { name: "Comments", description: "Comments on tasks and cards" },
            { name: "Search", description: "Full-text search across what you can see" },
            {
              name: "Realtime",
              description:
                "Live events over a WebSocket, and the same events by seq for delta sync",
            },
            {
              name: "Notifications",
              description: "What concerns you: assignments, comments, mentions, reminders",
            },
            { name: "Admin", description: "User, ban and job management (admin role)" },
            { name: "Operations", description: "Health and readiness" },
          ],
          components: {
            securitySchemes: {
              bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
              oauth2: {
                type: "oauth2",
                flows: {
                  password: {
                    tokenUrl: "/api/v1/auth/token",
                    refreshUrl: "/api/v1/auth/token",
                    scopes: {},
                  },
                },
              },
            },
          },
        },
      }),
    );
}

function assetResponse(path: string, contentType: string): Response {
  return new Response(Bun.file(path), {
    headers: { "content-type": contentType, "cache-control": "public, max-age=86400" },
  });
}

/**
 * Every route of the app this plugin is mounted in, as the openapi plugin reads them: Elysia
 * keeps the accessor protected, but wires it to the root app when a plugin is used.
 */
function appRoutes(plugin: Elysia): readonly AppRoute[] {
  return (plugin as unknown as { getGlobalRoutes(): AppRoute[] }).getGlobalRoutes();
}

import { openapi } from "@elysiajs/openapi";
import { Elysia } from "elysia";
// Swagger UI is served from the binary itself, so the docs work on a server with no internet.
import swaggerCss from "swagger-ui-dist/swagger-ui.css" with { type: "file" };
import swaggerJs from "swagger-ui-dist/swagger-ui-bundle.js" with { type: "file" };
import { VERSION } from "../../version";

const ASSETS = "/docs/assets";

const DESCRIPTION = `Kanbun: personal todo lists and shared kanban boards.

Errors are RFC 9457 problem details (\`application/problem+json\`) with a stable \`code\`.
Sign in with **Authorize** (OAuth2 password flow against \`/api/v1/auth/token\`) or paste an
access token from \`POST /api/v1/auth/login\` as a bearer token.`;

export function openapiDocs() {
  return new Elysia()
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
    .use(
      openapi({
        path: "/docs",
        specPath: "/docs/json",
        provider: "swagger-ui",
        exclude: { paths: [`${ASSETS}/swagger-ui-bundle.js`, `${ASSETS}/swagger-ui.css`] },
        swagger: {
          cdn: `${ASSETS}/swagger-ui-bundle.js`,
          theme: `${ASSETS}/swagger-ui.css`,
          autoDarkMode: false,
          persistAuthorization: true,
        },
        documentation: {
          info: { title: "Kanbun API", version: VERSION, description: DESCRIPTION },
          tags: [
            { name: "Auth", description: "Sign-up, sign-in, tokens and sessions" },
            { name: "Users", description: "The signed-in user" },
            { name: "Tasks", description: "Personal tasks and board cards" },
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

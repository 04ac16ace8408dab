import { Elysia } from "elysia";
import { NotFound } from "../errors";
import type { WebBundleSource } from "../web/bundle";

/**
 * The pages of the browser app: each serves the same index.html and the app routes in the
 * browser. Listed one by one rather than as a catch-all, so that any other path (and every
 * unknown /api/… one) keeps the API's problem+json 404.
 */
export const WEB_APP_PAGES = [
  "/",
  "/signin",
  "/signup",
  "/forgot-password",
  "/tasks",
  "/boards",
  "/boards/:id",
  "/account",
  "/admin",
] as const;

export const WEB_ASSETS = "/assets";

/**
 * Scripts and styles from this origin only, no inline code and no eval. `connect-src 'self'`
 * covers the API and the same-origin WebSocket.
 */
export const WEB_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const IMMUTABLE = "public, max-age=31536000, immutable";

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Kanbun: web app not built</title></head>
<body><h1>Web app not built</h1>
<p>This server runs from source and found no built web app. Run <code>bun run build</code>
(or <code>bun run dev</code>, which rebuilds on every change), then reload.</p>
<p>The API works as usual under <a href="/docs">/docs</a>.</p></body></html>
`;

export function webApp(source: WebBundleSource) {
  const hidden = { detail: { hide: true } };
  const page = ({ set }: { set: { headers: Record<string, unknown> } }) => {
    set.headers["content-security-policy"] = WEB_CSP;
    const bundle = source.load();
    if (!bundle) {
      return new Response(NOT_BUILT_PAGE, {
        status: 503,
        headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" },
      });
    }
    // Always revalidated: it names the current hashed assets.
    return new Response(bundle.index, {
      headers: { "content-type": "text/html; charset=utf-8", "cache-control": "no-cache" },
    });
  };
  // Elysia registers routes on the instance itself: the loop needs no reassignment.
  const app = new Elysia();
  for (const path of WEB_APP_PAGES) app.get(path, page, hidden);
  return app.get(
    `${WEB_ASSETS}/:name`,
    ({ params, request }) => {
      const assets = source.load()?.assets;
      const asset = assets?.get(params.name);
      if (!asset) throw new NotFound(`No asset named ${params.name}`);
      const headers: Record<string, string> = {
        "content-type": asset.type || "application/octet-stream",
        "cache-control": IMMUTABLE,
        vary: "accept-encoding",
      };
      // The build wrote a gzipped copy beside each file: about a third of the bytes to send.
      const gzipped = acceptsGzip(request) ? assets?.get(`${params.name}.gz`) : undefined;
      if (gzipped) headers["content-encoding"] = "gzip";
      return new Response(gzipped ?? asset, { headers });
    },
    hidden,
  );
}

function acceptsGzip(request: Request): boolean {
  return (request.headers.get("accept-encoding") ?? "")
    .split(",")
    .some((coding) => /^\s*gzip\s*(;\s*q=(?!0(\.0*)?\s*$)|$)/i.test(coding));
}

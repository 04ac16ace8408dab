/**
 * The web app as the server serves it: index.html on every app route with a strict CSP, hashed
 * assets cached for a year, the API's problem+json kept for everything else, and a clear page
 * when the app was never built. The bundle is built here, into a temporary folder (Bun's bundler
 * takes well under a second), so `bun test` needs no prior `bun run build`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  BUDGET_GZIP_BYTES,
  buildAndReport,
  buildWebApp,
  describeBuild,
  renderIndex,
  type WebBuild,
} from "../.ci/web-bundle";
import { createApp } from "../src/app";
import { createDeps } from "../src/deps";
import { WEB_APP_PAGES, WEB_CSP } from "../src/platform/http/web-app";
import {
  directoryBundleSource,
  embeddedBundle,
  noWebBundle,
  type WebBundleSource,
  webBundleSource,
} from "../src/platform/web/bundle";
import { createTestContext } from "./support/app";

let outdir = "";
let build: WebBuild;

beforeAll(async () => {
  outdir = mkdtempSync(join(tmpdir(), "kanbun-web-"));
  build = await buildWebApp(outdir);
});

afterAll(() => {
  rmSync(outdir, { recursive: true, force: true });
});

async function appServing(web: WebBundleSource) {
  const ctx = await createTestContext();
  const deps = await createDeps(ctx.deps.config, { sqlite: ctx.deps.sqlite ?? undefined, web });
  const app = createApp(deps);
  return (path: string, method = "GET") =>
    app.handle(new Request(`http://localhost${path}`, { method }));
}

function scriptName(): string {
  const script = build.files.find((file) => file.name.endsWith(".js"));
  if (!script) throw new Error("no script in the build");
  return script.name;
}

describe("the built bundle", () => {
  test("has hashed names, an index that loads them, and stays within the size budget", async () => {
    const names = build.files.map((file) => file.name);
    expect(names.some((name) => /^main-[a-z0-9]+\.js$/.test(name))).toBe(true);
    expect(names.some((name) => /^main-[a-z0-9]+\.css$/.test(name))).toBe(true);
    const index = await Bun.file(join(outdir, "index.html")).text();
    expect(index).toContain(`<script type="module" src="/assets/${scriptName()}"></script>`);
    expect(index).not.toMatch(/<script>(?!<\/script>)|<style|style=/);
    expect(build.totalGzipBytes).toBeGreaterThan(1000);
    expect(build.totalGzipBytes).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    expect(describeBuild(build)).toContain("of the 200.0 KB budget");
  });

  test("a build reports its sizes; a failed one says so and returns false", async () => {
    const lines: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), "kanbun-web-report-"));
    try {
      expect(await buildAndReport(dir, (line) => lines.push(line))).toBe(true);
      expect(lines.join("\n")).toContain("JS + CSS gzipped");
      // A file where the output folder should be: the build cannot write there.
      await Bun.write(join(dir, "blocked"), "x");
      expect(await buildAndReport(join(dir, "blocked", "out"), (line) => lines.push(line))).toBe(
        false,
      );
      expect(lines.at(-1)).toContain("build failed");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("the index lists every stylesheet", () => {
    const html = renderIndex("a.js", [
      { name: "a.css", bytes: 1, gzipBytes: 1 },
      { name: "b.css", bytes: 1, gzipBytes: 1 },
    ]);
    expect(html).toContain('<link rel="stylesheet" href="/assets/a.css">');
    expect(html).toContain('<link rel="stylesheet" href="/assets/b.css">');
  });

  test("the index carries its icon inline, so no page load asks for /favicon.ico", () => {
    const icon = renderIndex("a.js", []).match(/<link rel="icon" href="([^"]+)">/)?.[1];
    expect(icon).toStartWith("data:image/svg+xml,");
    expect(WEB_CSP).toContain("img-src 'self' data:");
  });
});

describe("serving the app", () => {
  test("every app route serves index.html with a strict CSP and no long cache", async () => {
    const request = await appServing(directoryBundleSource(outdir));
    const index = await Bun.file(join(outdir, "index.html")).text();
    const paths = [
      "/",
      "/signin",
      "/signup",
      "/forgot-password",
      "/tasks",
      "/boards",
      "/boards/12",
    ];
    for (const path of [...paths, "/account", "/admin"]) {
      const response = await request(path);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(response.headers.get("content-security-policy")).toBe(WEB_CSP);
      expect(await response.text()).toBe(index);
    }
    expect(WEB_APP_PAGES).toContain("/boards/:id");
  });

  test("the CSP forbids inline script, eval and foreign connections", () => {
    expect(WEB_CSP).toContain("script-src 'self'");
    expect(WEB_CSP).toContain("connect-src 'self'");
    expect(WEB_CSP).toContain("frame-ancestors 'none'");
    expect(WEB_CSP).not.toContain("unsafe-inline");
    expect(WEB_CSP).not.toContain("unsafe-eval");
  });

  test("assets are served with their type and an immutable year-long cache", async () => {
    const request = await appServing(directoryBundleSource(outdir));
    const response = await request(`/assets/${scriptName()}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("javascript");
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect((await response.arrayBuffer()).byteLength).toBe(
      build.files.find((file) => file.name === scriptName())?.bytes ?? -1,
    );
    const css = build.files.find((file) => file.name.endsWith(".css"))?.name;
    const styles = await request(`/assets/${css}`);
    expect(styles.headers.get("content-type")).toContain("text/css");
  });

  test("a browser that accepts gzip gets the gzipped copy; others get the file itself", async () => {
    const ctx = await createTestContext();
    const deps = await createDeps(ctx.deps.config, {
      sqlite: ctx.deps.sqlite ?? undefined,
      web: directoryBundleSource(outdir),
    });
    const app = createApp(deps);
    const get = (encoding?: string) =>
      app.handle(
        new Request(`http://localhost/assets/${scriptName()}`, {
          headers: encoding === undefined ? {} : { "accept-encoding": encoding },
        }),
      );
    const script = build.files.find((file) => file.name === scriptName());
    const zipped = await get("gzip, deflate, br");
    expect(zipped.headers.get("content-encoding")).toBe("gzip");
    expect(zipped.headers.get("vary")).toBe("accept-encoding");
    expect(zipped.headers.get("content-type")).toContain("javascript");
    const body = new Uint8Array(await zipped.arrayBuffer());
    expect(body.byteLength).toBe(script?.gzipBytes ?? -1);
    expect(Bun.gunzipSync(body).byteLength).toBe(script?.bytes ?? -1);
    for (const encoding of [undefined, "identity", "br", "gzip;q=0"]) {
      const plain = await get(encoding);
      expect(plain.headers.get("content-encoding")).toBeNull();
      expect((await plain.arrayBuffer()).byteLength).toBe(script?.bytes ?? -1);
    }
    expect((await get("GZIP;q=0.5")).headers.get("content-encoding")).toBe("gzip");
  });

  test("an unknown asset, an unknown page and an unknown API path are problem+json 404s", async () => {
    const request = await appServing(directoryBundleSource(outdir));
    for (const path of ["/assets/main-nothere.js", "/nowhere", "/api/v1/nothing", "/boards/x/y"]) {
      const response = await request(path);
      expect(response.status).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      expect(((await response.json()) as { code: string }).code).toBe("not_found");
    }
    const index = await request("/assets/index.html");
    expect(index.status).toBe(404);
  });

  test("other methods on an app route are 405, not the page", async () => {
    const request = await appServing(directoryBundleSource(outdir));
    const response = await request("/boards/3", "POST");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toContain("GET");
  });

  test("without a built app, pages explain how to build it and assets are 404", async () => {
    const request = await appServing(noWebBundle);
    const response = await request("/");
    expect(response.status).toBe(503);
    expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(response.headers.get("content-security-policy")).toBe(WEB_CSP);
    expect(await response.text()).toContain("bun run build");
    expect((await request(`/assets/${scriptName()}`)).status).toBe(404);
  });

  test("the API and health routes are untouched", async () => {
    const request = await appServing(directoryBundleSource(outdir));
    const health = await request("/health");
    expect(health.status).toBe(200);
    expect(health.headers.get("content-security-policy")).not.toBe(WEB_CSP);
    expect((await request("/api/v1/users/me")).status).toBe(401);
  });
});

describe("finding the bundle", () => {
  test("the compiled binary's embedded files under dist/web form the bundle", () => {
    const named = (name: string, text: string) =>
      Object.assign(new Blob([text], { type: "text/plain" }), { name });
    const bundle = embeddedBundle([
      named("dist/web/index.html", "<html>"),
      named("web/main-abc.js", "js"),
      named("dist/web/main-abc.css", "css"),
      named("swagger-ui-xyz.css", "docs"),
      named("other/web/main-x.js", "not ours"),
    ]);
    expect(bundle?.assets.size).toBe(2);
    expect(bundle?.assets.has("main-abc.js")).toBe(true);
    expect(embeddedBundle([named("dist/web/main-abc.js", "js")])).toBeNull();
    expect(embeddedBundle([new Blob(["x"])])).toBeNull();
  });

  test("run from source, the folder is read again after a rebuild", async () => {
    const dir = mkdtempSync(join(tmpdir(), "kanbun-web-src-"));
    try {
      const source = directoryBundleSource(dir);
      expect(source.load()).toBeNull();
      await Bun.write(join(dir, "main-a.js"), "a");
      await Bun.write(join(dir, "index.html"), "one");
      const first = source.load();
      expect([...(first?.assets.keys() ?? [])]).toEqual(["main-a.js"]);
      expect(source.load()).toBe(first);
      await Bun.write(join(dir, "main-b.js"), "b");
      await Bun.write(join(dir, "index.html"), "two");
      utimesSync(join(dir, "index.html"), new Date(), new Date(Date.now() + 5000));
      expect([...(source.load()?.assets.keys() ?? [])].sort()).toEqual(["main-a.js", "main-b.js"]);
      // Outside the binary there are no embedded files: the folder is used.
      expect(webBundleSource(dir, []).load()?.assets.size).toBe(2);
      const embedded = Object.assign(new Blob(["<html>"]), { name: "web/index.html" });
      expect(webBundleSource(dir, [embedded]).load()?.assets.size).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

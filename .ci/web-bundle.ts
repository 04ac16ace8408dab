/**
 * Bundles the browser app (src/web) into dist/web: hashed asset names, an index.html that loads
 * them, and the figures the size budget is held to. .ci/build-web.ts is its command line.
 */
import { mkdirSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";

const REPO_ROOT = resolve(import.meta.dir, "..");
export const WEB_SOURCE = join(REPO_ROOT, "src/web");
export const DEFAULT_OUTDIR = join(REPO_ROOT, "dist/web");
/** Issue 10's budget: all JS and CSS the app loads, gzipped. */
export const BUDGET_GZIP_BYTES = 200 * 1024;

export interface BuiltFile {
  name: string;
  bytes: number;
  gzipBytes: number;
}

export interface WebBuild {
  outdir: string;
  files: BuiltFile[];
  /** JS + CSS, gzipped: the figure the budget holds. */
  totalGzipBytes: number;
}

export async function buildWebApp(outdir = DEFAULT_OUTDIR): Promise<WebBuild> {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const result = await Bun.build({
    entrypoints: [join(WEB_SOURCE, "main.tsx")],
    outdir,
    target: "browser",
    format: "esm",
    minify: true,
    splitting: false,
    naming: { entry: "[name]-[hash].[ext]", asset: "[name]-[hash].[ext]" },
    define: { "process.env.NODE_ENV": JSON.stringify("production") },
  });
  if (!result.success) {
    throw new AggregateError(result.logs, "the web app did not build");
  }
  const files: BuiltFile[] = [];
  for (const output of result.outputs) {
    const bytes = new Uint8Array(await output.arrayBuffer());
    const gzipped = Bun.gzipSync(bytes, { level: 9 });
    const name = basename(output.path);
    // Served in place of the file to browsers that accept gzip (all of them).
    await Bun.write(join(outdir, `${name}.gz`), gzipped);
    files.push({ name, bytes: bytes.byteLength, gzipBytes: gzipped.byteLength });
  }
  const script = files.find((file) => file.name.endsWith(".js"));
  if (!script) throw new Error("the web app build produced no script");
  const styles = files.filter((file) => file.name.endsWith(".css"));
  await Bun.write(join(outdir, "index.html"), renderIndex(script.name, styles));
  const totalGzipBytes = files
    .filter((file) => /\.(js|css)$/.test(file.name))
    .reduce((sum, file) => sum + file.gzipBytes, 0);
  return { outdir, files, totalGzipBytes };
}

/**
 * The app's icon, inline (the CSP allows `data:` images): without one, every page load asks for
 * /favicon.ico, a 404 in the browser console.
 */
const ICON =
  "data:image/svg+xml," +
  encodeURIComponent(
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1d5fd1"/><path d="M4 3h2v10H4zm2 5 4-5h2.5l-4 5 4 5H10z" fill="#fff"/></svg>',
  );

/** The page every app route serves: no inline script or style, so the CSP can forbid both. */
export function renderIndex(script: string, styles: readonly BuiltFile[]): string {
  const links = styles.map((file) => `<link rel="stylesheet" href="/assets/${file.name}">`);
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    '<meta name="color-scheme" content="light dark">',
    "<title>Kanbun</title>",
    `<link rel="icon" href="${ICON}">`,
    ...links,
    `<script type="module" src="/assets/${script}"></script>`,
    "</head>",
    "<body>",
    '<div id="app"></div>',
    "<noscript>Kanbun needs JavaScript.</noscript>",
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

export function describeBuild(build: WebBuild): string {
  const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
  const lines = build.files.map(
    (file) => `  ${file.name}  ${kb(file.bytes)} (${kb(file.gzipBytes)} gzipped)`,
  );
  lines.push(
    `  JS + CSS gzipped: ${kb(build.totalGzipBytes)} of the ${kb(BUDGET_GZIP_BYTES)} budget`,
  );
  return lines.join("\n");
}

/** One build, reported; false when it failed or went over the budget. */
export async function buildAndReport(
  outdir: string,
  log: (line: string) => void = console.log,
): Promise<boolean> {
  const started = performance.now();
  try {
    const build = await buildWebApp(outdir);
    const ms = Math.round(performance.now() - started);
    log(`web app built into ${outdir} in ${ms} ms\n${describeBuild(build)}`);
    if (build.totalGzipBytes > BUDGET_GZIP_BYTES) {
      log("web app: over the size budget");
      return false;
    }
    return true;
  } catch (error) {
    log(
      `web app: build failed: ${error instanceof AggregateError ? error.errors.join("\n") : error}`,
    );
    return false;
  }
}

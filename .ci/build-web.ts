/**
 * Builds the web app into dist/web (see web-bundle.ts). `bun run build` runs it before compiling
 * the binary, which embeds dist/web with --asset; `bun run dev` runs it with --watch.
 *
 * `bun start` runs it first too, reporting on stderr, so that a command's own output stays clean
 * (`bun start users list`).
 *
 *   bun .ci/build-web.ts [--outdir DIR] [--watch] [--stderr]
 */
import { watch } from "node:fs";
import { resolve } from "node:path";
import { buildAndReport, DEFAULT_OUTDIR, WEB_SOURCE } from "./web-bundle";

const args = process.argv.slice(2);
const outIndex = args.indexOf("--outdir");
const outdir = outIndex >= 0 ? resolve(args[outIndex + 1] ?? DEFAULT_OUTDIR) : DEFAULT_OUTDIR;
const log = args.includes("--stderr") ? console.error : console.log;
const ok = await buildAndReport(outdir, log);
if (!args.includes("--watch")) process.exit(ok ? 0 : 1);

let timer: Timer | undefined;
watch(WEB_SOURCE, { recursive: true }, () => {
  clearTimeout(timer);
  timer = setTimeout(() => void buildAndReport(outdir, log), 100);
});
console.log(`watching ${WEB_SOURCE} for changes`);

/**
 * `bun run release`: one self-contained binary per platform in dist/release/, named
 * kanbun-<version>-<platform>, and a SHA256SUMS file in the format `sha256sum -c` reads.
 *
 * Bun cross-compiles: for a platform other than this machine's it downloads that platform's
 * runtime from the npm registry once (then it is cached).
 *
 *   bun run release                          every platform
 *   bun run release -- --target linux-x64    only the ones named (repeatable)
 *   bun run release -- --out DIR             somewhere else than dist/release
 */
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import packageJson from "../package.json";

export const TARGETS = {
  "linux-x64": "bun-linux-x64",
  "linux-arm64": "bun-linux-arm64",
  "darwin-arm64": "bun-darwin-arm64",
} as const;
export type Platform = keyof typeof TARGETS;

const ROOT = resolve(import.meta.dir, "..");

export function binaryName(platform: Platform, version = packageJson.version): string {
  return `kanbun-${version}-${platform}`;
}

/** `<sha256>  <file>` lines, sorted by file name, as sha256sum writes them. */
export async function checksums(files: string[]): Promise<string> {
  const lines = await Promise.all(
    files.map(async (file) => {
      const hash = new Bun.CryptoHasher("sha256");
      hash.update(await Bun.file(file).arrayBuffer());
      return `${hash.digest("hex")}  ${basename(file)}`;
    }),
  );
  return `${lines.sort((a, b) => a.slice(66).localeCompare(b.slice(66))).join("\n")}\n`;
}

/**
 * `bun run build`'s own compile command (package.json: the last step, after the web app's
 * build), for another platform and file: a release is compiled exactly as the binary CI tests,
 * with no second list of flags to keep in step.
 */
function buildCommand(platform: Platform, outfile: string): string[] {
  const compile = packageJson.scripts.build.split("&&").at(-1) ?? "";
  const [runner, ...args] = compile.trim().split(/\s+/);
  const out = args.indexOf("--outfile");
  if (runner !== "bun" || args[0] !== "build" || out < 0 || out + 2 !== args.length) {
    throw new Error(`package.json "build" must end with "bun build … --outfile FILE"`);
  }
  return [
    process.execPath,
    ...args.slice(0, out),
    `--target=${TARGETS[platform]}`,
    "--outfile",
    outfile,
  ];
}

function build(platform: Platform, outfile: string): void {
  // The source map is embedded in the binary, so the separate .map file is not shipped.
  const result = Bun.spawnSync(buildCommand(platform, outfile), {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `building ${platform} failed:\n${result.stdout.toString()}${result.stderr.toString()}`,
    );
  }
  rmSync(`${outfile}.map`, { force: true });
}

/** The platform this machine runs, if it is one we release. */
function hostPlatform(): Platform | null {
  const name = `${process.platform}-${process.arch}`;
  return name in TARGETS ? (name as Platform) : null;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Bun.argv.slice(2),
    options: {
      target: { type: "string", multiple: true },
      out: { type: "string" },
    },
  });
  const platforms = (values.target ?? Object.keys(TARGETS)) as Platform[];
  const unknown = platforms.filter((platform) => !(platform in TARGETS));
  if (unknown.length > 0) {
    throw new Error(
      `unknown target ${unknown.join(", ")}; known: ${Object.keys(TARGETS).join(", ")}`,
    );
  }
  const out = resolve(values.out ?? join(ROOT, "dist", "release"));
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });

  // The web app is the same for every platform: built once, embedded in each binary.
  const web = Bun.spawnSync(["bun", "run", "build:web"], {
    cwd: ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if (web.exitCode !== 0) {
    throw new Error(
      `building the web app failed:\n${web.stdout.toString()}${web.stderr.toString()}`,
    );
  }

  const files: string[] = [];
  for (const platform of platforms) {
    const file = join(out, binaryName(platform));
    const started = performance.now();
    build(platform, file);
    files.push(file);
    const size = (Bun.file(file).size / 1024 / 1024).toFixed(1);
    console.log(`${basename(file)}  ${size} MiB  ${Math.round(performance.now() - started)} ms`);
  }
  // The binary for this machine must at least start and report its version.
  const host = hostPlatform();
  if (host && platforms.includes(host)) {
    const run = Bun.spawnSync([join(out, binaryName(host)), "version"], { stdout: "pipe" });
    const said = run.stdout.toString().trim();
    if (run.exitCode !== 0 || said !== packageJson.version) {
      throw new Error(`${binaryName(host)} version said "${said}" (exit ${run.exitCode})`);
    }
  }
  await Bun.write(join(out, "SHA256SUMS"), await checksums(files));
  console.log(`SHA256SUMS and ${files.length} binaries in ${out}: ${readdirSync(out).join(", ")}`);
}

if (import.meta.main) {
  main().catch((error: unknown) => {
    console.error(`release: ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  });
}

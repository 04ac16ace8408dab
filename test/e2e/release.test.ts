/** `bun run release`, for this machine's platform only: cross targets download runtimes. */
import { afterAll, expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import packageJson from "../../package.json";
import { cleanUp, makeTempDir, REPO_ROOT } from "./binary-process";

afterAll(cleanUp);

const HOST = `${process.platform}-${process.arch}`;
const RELEASED = ["linux-x64", "linux-arm64", "darwin-arm64"];

function release(...args: string[]) {
  return Bun.spawnSync([process.execPath, ".ci/release.ts", ...args], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
}

test.skipIf(!RELEASED.includes(HOST))(
  "writes one binary per platform and a SHA256SUMS that sha256sum verifies",
  () => {
    const out = makeTempDir();
    const result = release("--target", HOST, "--out", out);
    expect(result.stderr.toString()).toBe("");
    expect(result.exitCode).toBe(0);
    const name = `kanbun-${packageJson.version}-${HOST}`;
    expect(readdirSync(out).sort()).toEqual(["SHA256SUMS", name]);

    const sums = readFileSync(join(out, "SHA256SUMS"), "utf8");
    expect(sums).toMatch(new RegExp(`^[0-9a-f]{64}  ${name}\\n$`));
    const check = Bun.spawnSync(["sha256sum", "--check", "SHA256SUMS"], {
      cwd: out,
      stdout: "pipe",
    });
    expect(check.stdout.toString()).toBe(`${name}: OK\n`);
    expect(check.exitCode).toBe(0);

    const version = Bun.spawnSync([join(out, name), "version"], { stdout: "pipe" });
    expect(version.stdout.toString().trim()).toBe(packageJson.version);
  },
  60_000,
);

test("an unknown platform is refused with the list of known ones", () => {
  const result = release("--target", "windows-x64", "--out", makeTempDir());
  expect(result.exitCode).toBe(1);
  expect(result.stderr.toString().trim()).toBe(
    `release: unknown target windows-x64; known: ${RELEASED.join(", ")}`,
  );
});

/** The deployment files and the README stay in step with the configuration the code reads. */
import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { HELP } from "../src/cli/help";
import { loadConfig } from "../src/platform/config";

const ROOT = join(import.meta.dir, "..");
const read = (path: string) => readFileSync(join(ROOT, path), "utf8");

/** The variables of the README's configuration table, in order. */
function readmeVariables(): string[] {
  const section = read("README.md").split("## Configuration")[1]?.split("\n## ")[0] ?? "";
  return [...section.matchAll(/^\| `([A-Z_]+)` \|/gm)].map((match) => match[1] ?? "");
}

/** What the compose files read from .env themselves (`${NAME…}`), such as the database's password. */
function composeVariables(): string[] {
  return ["compose.yaml", "compose.scale.yaml"].flatMap((file) =>
    [...read(`docs/deploy/${file}`).matchAll(/\$\{([A-Z_]+)/g)].map((match) => match[1] ?? ""),
  );
}

/** Every variable loadConfig looks up, seen through an environment that records each read. */
function variablesTheCodeReads(): string[] {
  const read = new Set<string>();
  const env = new Proxy({} as Record<string, string | undefined>, {
    get(_, name) {
      if (typeof name === "string") read.add(name);
      return undefined;
    },
  });
  loadConfig(env);
  return [...read];
}

describe("configuration documents", () => {
  test("the README documents exactly the variables the code reads, and --help names each", () => {
    const variables = readmeVariables();
    expect(variables).toEqual(
      expect.arrayContaining(["PORT", "HOST", "DATABASE_PATH", "JWT_SECRET", "ALLOW_SIGNUP"]),
    );
    expect([...variables].sort()).toEqual(variablesTheCodeReads().sort());
    // Whole names: RATE_LIMIT_MAX must not pass on the strength of AUTH_RATE_LIMIT_MAX.
    for (const name of variables) expect(HELP).toMatch(new RegExp(`(?<![A-Z_])${name}(?![A-Z_])`));
  });

  test("env.example names only variables the README or a compose file documents, and loads as it is", () => {
    const lines = read("docs/deploy/env.example").split("\n");
    const named = lines
      .map((line) => /^#? ?([A-Z_]+)=/.exec(line)?.[1])
      .filter((name): name is string => Boolean(name));
    const documented = new Set([...readmeVariables(), ...composeVariables()]);
    expect(named.filter((name) => !documented.has(name))).toEqual([]);
    const env = Object.fromEntries(
      lines
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    expect(env.JWT_SECRET).toBe("");
    const config = loadConfig({ ...env, JWT_SECRET: "x".repeat(64) });
    expect(config).toMatchObject({ nodeEnv: "production", trustProxy: true, host: "127.0.0.1" });
    expect(config.warnings).toEqual([]);
  });

  test("compose publishes no port of Kanbun's while it trusts the proxy", () => {
    const compose = Bun.YAML.parse(read("docs/deploy/compose.yaml")) as {
      services: Record<
        string,
        { ports?: unknown; environment?: Record<string, string>; volumes?: string[] }
      >;
    };
    const kanbun = compose.services.kanbun;
    expect(kanbun?.environment?.TRUST_PROXY).toBe("true");
    expect(kanbun?.ports).toBeUndefined();
    expect(kanbun?.volumes).toContain("kanbun-data:/data");
    expect(kanbun?.environment?.DATABASE_PATH).toStartWith("/data/");
  });
});

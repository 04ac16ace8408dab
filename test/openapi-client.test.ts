import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { fetchDocument, type OpenApiDoc } from "./support/openapi";

// The OpenAPI document as outside tools see it: Redocly CLI lints it, openapi-typescript turns
// it into a typed client, and a small program written against that client type-checks and runs.
// Everything runs offline from node_modules; the scratch folder sits inside node_modules so that
// the program resolves openapi-fetch like any file of the project.
const ROOT = join(import.meta.dir, "..");
const BIN = join(ROOT, "node_modules", ".bin");
const SCRATCH = join(ROOT, "node_modules", ".cache");

let ctx: TestContext;
let doc: OpenApiDoc;
let dir: string;

beforeAll(async () => {
  ctx = await createTestContext(UNTHROTTLED_ENV);
  doc = await fetchDocument(ctx);
  mkdirSync(SCRATCH, { recursive: true });
  dir = mkdtempSync(join(SCRATCH, "kanbun-openapi-"));
  await Bun.write(join(dir, "openapi.json"), JSON.stringify(doc));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Runs a command to its end; Bun runs the JavaScript CLIs (their shebang asks for Node). */
async function run(command: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn(command, {
    cwd: dir,
    env: { ...process.env, NO_COLOR: "1", ...env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ]);
  return { stdout, stderr, code };
}

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string }[];
}

async function lint(file: string): Promise<LintReport> {
  const { stdout } = await run(
    [
      process.execPath,
      join(BIN, "redocly"),
      "lint",
      file,
      "--config",
      join(ROOT, "redocly.yaml"),
      "--format",
      "json",
    ],
    // The config turns telemetry off too; the update check is skipped as well.
    { REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true", CI: "true" },
  );
  return JSON.parse(stdout) as LintReport;
}

describe("Redocly CLI lint", () => {
  test("finds no error and no warning in /docs/json", async () => {
    const report = await lint("openapi.json");
    expect(report.problems.map((problem) => `${problem.ruleId}: ${problem.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  test("does find the faults it was set up to find", async () => {
    const broken = structuredClone(doc) as OpenApiDoc & { servers?: unknown };
    const task = broken.components.schemas.Task as { properties: Record<string, object> };
    task.properties.title = { type: "string", error: "Must be a title" };
    delete broken.servers;
    await Bun.write(join(dir, "broken.json"), JSON.stringify(broken));
    const report = await lint("broken.json");
    const rules = new Set(report.problems.map((problem) => problem.ruleId));
    expect([...rules].sort()).toEqual(["no-empty-servers", "struct"]);
  });
});

describe("a client generated with openapi-typescript", () => {
  beforeAll(async () => {
    const generate = await run([
      process.execPath,
      "--preload",
      join(ROOT, "test", "support", "typescript5.ts"),
      join(BIN, "openapi-typescript"),
      "openapi.json",
      "--output",
      "api.d.ts",
    ]);
    if (generate.code !== 0) throw new Error(`openapi-typescript failed: ${generate.stderr}`);
    await Bun.write(join(dir, "program.ts"), Bun.file(join(ROOT, "test/typed-client/program.ts")));
    await Bun.write(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: join(ROOT, "tsconfig.json"),
        include: [],
        files: ["program.ts", "api.d.ts"],
      }),
    );
  });

  test("type-checks a program that signs up, logs in, creates, reads by numeric id and lists", async () => {
    const { stdout, code } = await run([join(BIN, "tsc"), "-p", "tsconfig.json"]);
    // The program includes calls the types must refuse: a type that is too loose leaves an
    // expected error unused, which tsc reports as an error too.
    expect(stdout).toBe("");
    expect(code).toBe(0);
  });

  test("types a numeric task id as a number and a missing title as an error", async () => {
    const types = await Bun.file(join(dir, "api.d.ts")).text();
    const operation = types.slice(types.indexOf("getApiV1TasksById: {"));
    expect(operation.slice(0, operation.indexOf("requestBody"))).toMatch(/path: \{\s*id: number;/);
    const body = types.slice(types.indexOf("CreateTaskBody: {"));
    expect(body.slice(0, body.indexOf("};"))).toMatch(/\n\s*title: string;/);
  });

  test("the same program runs against the server and gets what its types promise", async () => {
    const program = (await import(join(dir, "program.ts"))) as {
      useTheApi: (fetch: (request: Request) => Promise<Response>) => Promise<{
        userId: number;
        task?: { id: number; title: string; owner_id: number; priority: number };
        listed?: number[];
        total: string | null;
        problemCode?: string;
      }>;
    };
    const result = await program.useTheApi((request) => ctx.app.handle(request));
    expect(result.task).toMatchObject({
      title: "Written by a typed client",
      owner_id: result.userId,
      priority: 2,
    });
    expect(result.listed).toEqual([result.task?.id ?? -1]);
    expect(result.total).toBe("1");
    expect(result.problemCode).toBe("not_found");
  });
});

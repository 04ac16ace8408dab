import { describe, expect, test } from "bun:test";
import {
  caseless,
  forClaim,
  idsFromJson,
  jsonText,
  likeCaseless,
  textsFromJson,
} from "../src/platform/db/dialect";
import { databaseOf } from "../src/platform/db/postgres-url";
import { createTestContext } from "./support/app";

// The fragments run on the suite's database (SQLite, or PostgreSQL under `bun run test:pg`);
// the other dialect's text is pinned where its wording is the point.
describe("dialect fragments, run on this suite's database", () => {
  test("JSON lists of ids and of texts, case-free sorting and LIKE, JSON fields", async () => {
    const { deps } = await createTestContext();
    const { sql } = deps;
    const ids = await sql.all<{ value: number }>(
      `SELECT value FROM (${idsFromJson(sql)}) v ORDER BY value`,
      [JSON.stringify([3, 1, 2])],
    );
    expect(ids).toEqual([{ value: 1 }, { value: 2 }, { value: 3 }]);
    const texts = await sql.all<{ value: string }>(
      `SELECT value FROM (${textsFromJson(sql)}) v ORDER BY value`,
      [JSON.stringify(["b", "a"])],
    );
    expect(texts).toEqual([{ value: "a" }, { value: "b" }]);

    const sorted = await sql.all<{ word: string }>(
      `SELECT word FROM (SELECT 'beta' AS word UNION ALL SELECT 'Alpha' UNION ALL SELECT 'Gamma') w
       ORDER BY ${caseless(sql, "word")}`,
    );
    expect(sorted.map((row) => row.word)).toEqual(["Alpha", "beta", "Gamma"]);
    const like = await sql.get<{ hit: number }>(
      `SELECT CASE WHEN 'Ada Lovelace' ${likeCaseless(sql)} ? THEN 1 ELSE 0 END AS hit`,
      ["%LOVE%"],
    );
    expect(like).toEqual({ hit: 1 });

    const field = await sql.get<{ to: string }>(
      `SELECT ${jsonText(sql, "p", "to")} AS "to" FROM (SELECT ? AS p) j`,
      [JSON.stringify({ to: "ada@example.com", subject: "x" })],
    );
    expect(field).toEqual({ to: "ada@example.com" });
  });

  test("PostgreSQL's JSON parameter is typed text first, so the string is read as the array it spells", () => {
    expect(idsFromJson("postgres")).toContain("json_array_elements_text(?::text::json)");
    expect(textsFromJson("postgres")).toContain("json_array_elements_text(?::text::json)");
    expect(caseless("postgres", "t.title")).toBe("lower(t.title)");
    expect(likeCaseless("postgres")).toBe("ILIKE");
    expect(jsonText("postgres", "payload", "to")).toBe("(payload::json ->> 'to')");
    // Instances claiming jobs at once never take the same one.
    expect(forClaim("postgres")).toBe(" FOR UPDATE SKIP LOCKED");
    expect(forClaim("sqlite")).toBe("");
  });

  test("a JSON key that could break out of the SQL text is refused", () => {
    expect(() => jsonText("sqlite", "payload", "to') OR 1=1 --")).toThrow("Not a JSON key");
  });
});

describe("databaseOf", () => {
  test("the URL's database, decoded; else the user's name, as libpq has it; else postgres", () => {
    expect(databaseOf("postgres://ada:pw@db:5432/kan%20bun")).toBe("kan bun");
    expect(databaseOf("postgres://ada:pw@db:5432/")).toBe("ada");
    expect(databaseOf("postgres://db:5432")).toBe("postgres");
  });
});

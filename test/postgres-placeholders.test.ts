import { describe, expect, test } from "bun:test";
import { numberPlaceholders } from "../src/platform/db/postgres-placeholders";

describe("numberPlaceholders: the shared SQL's ? become PostgreSQL's $n", () => {
  test("numbers every placeholder in order", () => {
    expect(numberPlaceholders("SELECT * FROM t WHERE a = ? AND b IN (?, ?) LIMIT ?")).toBe(
      "SELECT * FROM t WHERE a = $1 AND b IN ($2, $3) LIMIT $4",
    );
    expect(numberPlaceholders("SELECT 1")).toBe("SELECT 1");
  });

  test.each([
    ["a string literal", "SELECT 'why?', ?", "SELECT 'why?', $1"],
    ["a doubled quote inside a literal", "SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"],
    ["an escape string", "SELECT E'a\\'?', ?", "SELECT E'a\\'?', $1"],
    ["a backslash in a plain literal", "SELECT 'a\\', ?", "SELECT 'a\\', $1"],
    [
      "a quoted identifier",
      'SELECT "who?" FROM t WHERE "a""?" = ?',
      'SELECT "who?" FROM t WHERE "a""?" = $1',
    ],
    ["a line comment", "SELECT ? -- really?\n, ?", "SELECT $1 -- really?\n, $2"],
    ["a block comment", "SELECT ? /* or? */ , ?", "SELECT $1 /* or? */ , $2"],
    ["a dollar-quoted string", "SELECT $$?$$, $tag$ ? $tag$, ?", "SELECT $$?$$, $tag$ ? $tag$, $1"],
  ])("leaves ? in %s alone", (_, text, expected) => {
    expect(numberPlaceholders(text)).toBe(expected);
  });

  test("a name ending in e before a quote is no escape string", () => {
    expect(numberPlaceholders("SELECT type'\\', ?")).toBe("SELECT type'\\', $1");
  });

  test("an unterminated literal or comment runs to the end without numbering inside it", () => {
    expect(numberPlaceholders("SELECT ?, 'open ?")).toBe("SELECT $1, 'open ?");
    expect(numberPlaceholders('SELECT ?, "open ?')).toBe('SELECT $1, "open ?');
    expect(numberPlaceholders("SELECT ? /* open ?")).toBe("SELECT $1 /* open ?");
    expect(numberPlaceholders("SELECT ? -- ?")).toBe("SELECT $1 -- ?");
    expect(numberPlaceholders("SELECT ?, $$ ?")).toBe("SELECT $1, $$ ?");
    expect(numberPlaceholders("SELECT ?, E'\\")).toBe("SELECT $1, E'\\");
  });

  test("gives the same text again from its cache, and stays right past the cache's bound", () => {
    const text = "UPDATE t SET a = ? WHERE id = ?";
    expect(numberPlaceholders(text)).toBe("UPDATE t SET a = $1 WHERE id = $2");
    for (let i = 0; i < 2100; i++) numberPlaceholders(`SELECT ${i} WHERE x = ?`);
    expect(numberPlaceholders(text)).toBe("UPDATE t SET a = $1 WHERE id = $2");
    expect(numberPlaceholders("SELECT 5 WHERE x = ?")).toBe("SELECT 5 WHERE x = $1");
  });
});

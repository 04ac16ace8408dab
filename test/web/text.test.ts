import { describe, expect, test } from "bun:test";
import {
  asSentence,
  countOf,
  formatDue,
  formatWhen,
  fromDateInput,
  isOverdue,
  parseTags,
  toDateInput,
} from "../../src/web/lib/format";
import {
  insertMention,
  mentionAt,
  splitMentions,
  suggestMentions,
} from "../../src/web/lib/mentions";
import { DEFAULT_FILTERS, taskQuery } from "../../src/web/lib/task-query";

describe("mentions", () => {
  test("split out of text without touching markup-looking text", () => {
    expect(splitMentions("hi @ada and @bob.b, see <img onerror=x>")).toEqual([
      { text: "hi " },
      { mention: "ada" },
      { text: " and " },
      { mention: "bob.b" },
      { text: ", see <img onerror=x>" },
    ]);
    expect(splitMentions("@ada")).toEqual([{ mention: "ada" }]);
    expect(splitMentions("mail me: a@example.com")).toEqual([{ text: "mail me: a@example.com" }]);
    expect(splitMentions("@x is too short")).toEqual([{ text: "@x is too short" }]);
  });

  test("the name being typed at the caret, suggestions and insertion", () => {
    expect(mentionAt("ping @ad", 8)).toEqual({ start: 5, query: "ad" });
    expect(mentionAt("ping @", 6)).toEqual({ start: 5, query: "" });
    expect(mentionAt("a@b", 3)).toBeNull();
    expect(mentionAt("ping @ad now", 12)).toBeNull();
    expect(suggestMentions(["ada", "Adam", "bob"], "AD")).toEqual(["ada", "Adam"]);
    expect(suggestMentions(["a1", "a2", "a3"], "a", 2)).toEqual(["a1", "a2"]);
    expect(insertMention("ping @ad!", 5, 8, "ada")).toEqual({ text: "ping @ada !", caret: 10 });
  });
});

describe("dates, tags and the tasks query", () => {
  test("a date input round-trips through the end of that local day", () => {
    const iso = fromDateInput("2026-03-14");
    expect(iso).not.toBeNull();
    expect(toDateInput(iso)).toBe("2026-03-14");
    expect(fromDateInput("")).toBeNull();
    expect(fromDateInput("not a date")).toBeNull();
    expect(toDateInput(null)).toBe("");
    expect(toDateInput("garbage")).toBe("");
  });

  test("formatting and overdue", () => {
    expect(formatDue(null)).toBe("");
    expect(formatDue("garbage")).toBe("");
    expect(formatDue("2026-03-14T12:00:00.000Z")).toContain("14");
    const inMarch2026 = new Date("2026-03-01T12:00:00Z");
    expect(formatDue("2026-03-14T12:00:00.000Z", inMarch2026)).not.toContain("2026");
    expect(formatDue("2020-01-05T12:00:00.000Z", inMarch2026)).toContain("2020");
    expect(formatDue("2030-06-01T12:00:00.000Z", inMarch2026)).toContain("2030");
    expect(formatWhen("garbage")).toBe("garbage");
    expect(formatWhen("2026-03-14T12:00:00.000Z")).toContain("2026");
    expect(isOverdue(null)).toBe(false);
    expect(isOverdue("2026-01-01T00:00:00.000Z", Date.parse("2026-02-01T00:00:00Z"))).toBe(true);
    expect(isOverdue("2026-03-01T00:00:00.000Z", Date.parse("2026-02-01T00:00:00Z"))).toBe(false);
  });

  test("tags are trimmed, de-duplicated and never empty", () => {
    expect(parseTags(" a, b ,, a ,c")).toEqual(["a", "b", "c"]);
    expect(parseTags("")).toEqual([]);
  });

  test("filters become the API's query parameters", () => {
    expect(taskQuery(DEFAULT_FILTERS)).toBe("/tasks?limit=200&completed=false&sort=-created_at");
    const query = taskQuery({
      status: "all",
      q: " milk ",
      priority: "3",
      tag: "home",
      overdue: true,
      sort: "title",
    });
    expect(query).toBe("/tasks?limit=200&q=milk&priority=3&tag=home&overdue=true");
    expect(taskQuery({ ...DEFAULT_FILTERS, status: "done" }, 10)).toContain("completed=true");
  });
});

describe("sessions", () => {
  test("a User-Agent becomes a short name", async () => {
    const { describeUserAgent } = await import("../../src/web/lib/format");
    const chrome =
      "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";
    expect(describeUserAgent(chrome)).toBe("Chrome on Linux");
    expect(
      describeUserAgent(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:140.0) Gecko/20100101 Firefox/140.0",
      ),
    ).toBe("Firefox on Windows");
    expect(
      describeUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) Safari/604.1"),
    ).toBe("Safari on iOS");
    expect(describeUserAgent("curl/8.5.0")).toBe("curl");
    expect(describeUserAgent("kanbun-sync/1.0")).toBe("kanbun-sync/1.0");
    expect(describeUserAgent(null)).toBe("Unknown device");
  });
});

describe("asSentence", () => {
  test("ends a server message with a full stop so another sentence can follow", () => {
    expect(asSentence("Your role on this board does not allow changes")).toBe(
      "Your role on this board does not allow changes.",
    );
  });
  test("leaves a message that already ends a sentence, and an empty one, as they are", () => {
    expect(asSentence("Not found.")).toBe("Not found.");
    expect(asSentence("Really?")).toBe("Really?");
    expect(asSentence("  ")).toBe("");
  });
});

describe("counts", () => {
  test("one is singular, any other count plural", () => {
    expect(countOf(1, "task")).toBe("1 task");
    expect(countOf(0, "task")).toBe("0 tasks");
    expect(countOf(2, "task")).toBe("2 tasks");
  });
});

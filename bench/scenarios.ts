import type { LoadSpec, LoadTarget } from "./load";
import type { ScenarioName } from "./results";
import { createRandom, SEARCH_WORDS, sentence, TAGS } from "./words";

export type Scenario = Pick<LoadSpec, "method" | "targets" | "connections">;

/** What each scenario sends; the same requests, in the same order, to every server. */
export function scenarios(connections: number): Record<ScenarioName, Scenario> {
  const random = createRandom(7);
  const bodies: LoadTarget[] = Array.from({ length: 64 }, (_, i) => ({
    path: "/api/v1/tasks",
    body: JSON.stringify({
      title: sentence(random, 3, 7),
      description: `${sentence(random, 8, 30)}.`,
      priority: i % 5,
      tags: [TAGS[i % TAGS.length], TAGS[(i * 7 + 3) % TAGS.length]],
      due_date: i % 3 === 0 ? null : "2031-06-01T12:00:00Z",
    }),
  }));
  const searches = SEARCH_WORDS.map((word) => ({ path: `/api/v1/tasks?q=${word}` }));
  return {
    list: { method: "GET", targets: [{ path: "/api/v1/tasks?limit=20" }], connections },
    // Not in the default set: the platform's per-request cost without auth or a database.
    health: { method: "GET", targets: [{ path: "/health" }], connections },
    search: { method: "GET", targets: searches, connections },
    // Not in the default set: one query at a time, without queueing behind others.
    search1: { method: "GET", targets: searches, connections: 1 },
    create: { method: "POST", targets: bodies, connections },
  };
}

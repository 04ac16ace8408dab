import { beforeAll, describe, expect, test } from "bun:test";
import { BOARD_ACTIONS, type BoardAction } from "../src/modules/boards/access";
import { createTestContext, type TestContext, UNTHROTTLED_ENV } from "./support/app";
import { type Team, teamBoard } from "./support/boards";
import { createUser, type TestUser } from "./support/factories";

/**
 * Every role × every action, through HTTP. Each cell runs on a fresh board of the same team, so
 * a destructive action in one cell cannot decide another. The expected statuses are written out
 * here, not derived from the access module: this table is the specification.
 */

type Fixture = Awaited<ReturnType<typeof teamBoard>>;
type Role = "owner" | "editor" | "viewer" | "outsider";

interface Row {
  name: string;
  /** The access-module action the route is decided by. */
  action: BoardAction;
  request: (f: Fixture, team: Team) => { method: string; path: string; body?: unknown };
  expected: Record<Role, number>;
}

const seen = (owner: number, editor: number, viewer: number, outsider = 404) => ({
  owner,
  editor,
  viewer,
  outsider,
});

const ROWS: Row[] = [
  {
    name: "read the board",
    action: "board.read",
    request: (f) => ({ method: "GET", path: `/api/v1/boards/${f.board.id}` }),
    expected: seen(200, 200, 200),
  },
  {
    name: "rename the board",
    action: "board.update",
    request: (f) => ({
      method: "PATCH",
      path: `/api/v1/boards/${f.board.id}`,
      body: { name: "Renamed" },
    }),
    expected: seen(200, 403, 403),
  },
  {
    name: "delete the board",
    action: "board.delete",
    request: (f) => ({ method: "DELETE", path: `/api/v1/boards/${f.board.id}` }),
    expected: seen(204, 403, 403),
  },
  {
    name: "list the members",
    action: "board.read",
    request: (f) => ({ method: "GET", path: `/api/v1/boards/${f.board.id}/members` }),
    expected: seen(200, 200, 200),
  },
  {
    name: "add a member",
    action: "member.add",
    request: (f, team) => ({
      method: "POST",
      path: `/api/v1/boards/${f.board.id}/members`,
      body: { user: team.outsider.username, role: "viewer" },
    }),
    expected: seen(201, 403, 403),
  },
  {
    name: "change a member's role",
    action: "member.update",
    request: (f, team) => ({
      method: "PATCH",
      path: `/api/v1/boards/${f.board.id}/members/${team.viewer.id}`,
      body: { role: "editor" },
    }),
    expected: seen(200, 403, 403),
  },
  {
    name: "hand the board over",
    action: "member.update",
    request: (f, team) => ({
      method: "PATCH",
      path: `/api/v1/boards/${f.board.id}/members/${team.editor.id}`,
      body: { role: "owner" },
    }),
    expected: seen(200, 403, 403),
  },
  {
    name: "remove another member",
    action: "member.remove",
    request: (f, team) => ({
      method: "DELETE",
      path: `/api/v1/boards/${f.board.id}/members/${team.viewer.id}`,
    }),
    // The viewer removing the viewer is leaving, which any member may.
    expected: seen(204, 403, 204),
  },
  {
    name: "leave the board",
    action: "member.leave",
    request: () => ({ method: "DELETE", path: "" }),
    // The owner must hand the board over first.
    expected: seen(409, 204, 204),
  },
  {
    name: "read the activity",
    action: "activity.read",
    request: (f) => ({ method: "GET", path: `/api/v1/boards/${f.board.id}/activity` }),
    expected: seen(200, 200, 200),
  },
  {
    name: "create a list",
    action: "list.create",
    request: (f) => ({
      method: "POST",
      path: `/api/v1/boards/${f.board.id}/lists`,
      body: { name: "New" },
    }),
    expected: seen(201, 201, 403),
  },
  {
    name: "read a list",
    action: "board.read",
    request: (f) => ({ method: "GET", path: `/api/v1/lists/${f.list.id}` }),
    expected: seen(200, 200, 200),
  },
  {
    name: "rename and move a list",
    action: "list.update",
    request: (f) => ({
      method: "PATCH",
      path: `/api/v1/lists/${f.list.id}`,
      body: { name: "Doing", position: 1 },
    }),
    expected: seen(200, 200, 403),
  },
  {
    name: "delete a list with its cards",
    action: "list.delete",
    request: (f) => ({ method: "DELETE", path: `/api/v1/lists/${f.list.id}?cascade=true` }),
    expected: seen(204, 204, 403),
  },
  {
    name: "create a card",
    action: "card.create",
    request: (f) => ({
      method: "POST",
      path: "/api/v1/tasks",
      body: { title: "New card", list_id: f.list.id },
    }),
    // A list the caller cannot see is refused like one that does not exist: 422 on list_id.
    expected: seen(201, 201, 403, 422),
  },
  {
    name: "read a card",
    action: "card.read",
    request: (f) => ({ method: "GET", path: `/api/v1/tasks/${f.card.id}` }),
    expected: seen(200, 200, 200),
  },
  {
    name: "edit a card (PATCH)",
    action: "card.update",
    request: (f) => ({
      method: "PATCH",
      path: `/api/v1/tasks/${f.card.id}`,
      body: { priority: 3 },
    }),
    expected: seen(200, 200, 403),
  },
  {
    name: "edit a card (PUT)",
    action: "card.update",
    request: (f) => ({ method: "PUT", path: `/api/v1/tasks/${f.card.id}`, body: { title: "T" } }),
    expected: seen(200, 200, 403),
  },
  {
    name: "move a card to another list",
    action: "card.update",
    request: (f) => ({
      method: "PATCH",
      path: `/api/v1/tasks/${f.card.id}`,
      body: { list_id: f.otherList.id, position: 0 },
    }),
    expected: seen(200, 200, 403),
  },
  {
    name: "delete a card",
    action: "card.delete",
    request: (f) => ({ method: "DELETE", path: `/api/v1/tasks/${f.card.id}` }),
    expected: seen(204, 204, 403),
  },
  {
    name: "list a card's comments",
    action: "comment.read",
    request: (f) => ({ method: "GET", path: `/api/v1/tasks/${f.card.id}/comments` }),
    expected: seen(200, 200, 200),
  },
  {
    name: "read a comment",
    action: "comment.read",
    request: (f) => ({ method: "GET", path: `/api/v1/comments/${f.editorComment.id}` }),
    expected: seen(200, 200, 200),
  },
  {
    name: "comment on a card",
    action: "comment.create",
    request: (f) => ({
      method: "POST",
      path: `/api/v1/tasks/${f.card.id}/comments`,
      body: { body: "Hello" },
    }),
    expected: seen(201, 201, 403),
  },
  {
    name: "edit the editor's comment",
    action: "comment.update",
    request: (f) => ({
      method: "PATCH",
      path: `/api/v1/comments/${f.editorComment.id}`,
      body: { body: "Edited" },
    }),
    // Only the author edits, not even the owner.
    expected: seen(403, 200, 403),
  },
  {
    name: "edit the owner's comment",
    action: "comment.update",
    request: (f) => ({
      method: "PATCH",
      path: `/api/v1/comments/${f.ownerComment.id}`,
      body: { body: "Edited" },
    }),
    expected: seen(200, 403, 403),
  },
  {
    name: "delete the editor's comment",
    action: "comment.delete",
    request: (f) => ({ method: "DELETE", path: `/api/v1/comments/${f.editorComment.id}` }),
    // The author, or the board's owner.
    expected: seen(204, 204, 403),
  },
  {
    name: "delete the owner's comment",
    action: "comment.delete",
    request: (f) => ({ method: "DELETE", path: `/api/v1/comments/${f.ownerComment.id}` }),
    expected: seen(204, 403, 403),
  },
];

const ROLES: Role[] = ["owner", "editor", "viewer", "outsider"];

let ctx: TestContext;
let team: Team;

beforeAll(async () => {
  ctx = await createTestContext(UNTHROTTLED_ENV);
  team = {
    owner: await createUser(ctx),
    editor: await createUser(ctx),
    viewer: await createUser(ctx),
    outsider: await createUser(ctx),
  };
});

function userFor(role: Role): TestUser {
  return team[role];
}

describe("every role × every action", () => {
  test("the table names every action the access module knows", () => {
    expect([...new Set(ROWS.map((row) => row.action))].sort()).toEqual([...BOARD_ACTIONS].sort());
  });

  for (const row of ROWS) {
    test(row.name, async () => {
      const outcome: Record<string, number> = {};
      for (const role of ROLES) {
        const fixture = await teamBoard(ctx, team);
        const caller = userFor(role);
        let { method, path, body } = row.request(fixture, team);
        if (row.action === "member.leave")
          path = `/api/v1/boards/${fixture.board.id}/members/${caller.id}`;
        const response = await ctx.request(path, { method, body, token: caller.accessToken });
        outcome[role] = response.status;
        if (response.status >= 400) {
          const problem = (await response.json()) as { code: string };
          const codes: Record<number, string> = {
            403: "forbidden_access",
            404: "not_found",
            409: "conflict",
            422: "validation_error",
          };
          expect({ role, code: problem.code }).toEqual({
            role,
            code: codes[response.status] ?? "",
          });
        }
      }
      expect(outcome).toEqual(row.expected);
    });
  }
});

describe("a refusal changes nothing", () => {
  test("after every refused cell the fixture board, its comments and activity read as before", async () => {
    for (const row of ROWS) {
      for (const role of ROLES) {
        if (row.expected[role] < 400) continue;
        const fixture = await teamBoard(ctx, team);
        // Comments are not part of GET /boards/{id}: read them, and the activity, too.
        const read = async () => {
          const paths = [
            `/api/v1/boards/${fixture.board.id}`,
            `/api/v1/tasks/${fixture.card.id}/comments`,
            `/api/v1/boards/${fixture.board.id}/activity`,
          ];
          const token = team.owner.accessToken;
          return Promise.all(
            paths.map(async (path) => (await ctx.request(path, { token })).json()),
          );
        };
        const before = await read();
        const caller = userFor(role);
        let { method, path, body } = row.request(fixture, team);
        if (row.action === "member.leave")
          path = `/api/v1/boards/${fixture.board.id}/members/${caller.id}`;
        await ctx.request(path, { method, body, token: caller.accessToken });
        expect({ row: row.name, role, board: await read() }).toEqual({
          row: row.name,
          role,
          board: before,
        });
      }
    }
  });
});

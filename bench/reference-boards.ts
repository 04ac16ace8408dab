import type { Database } from "bun:sqlite";

/**
 * The reference server's board routes: GET /api/v1/boards/{id} and moving a card with
 * PATCH /api/v1/tasks/{id} {list_id, position?}, running the statements Kanbun runs for them
 * (src/modules/boards, src/modules/tasks/cards.ts) with no framework around them. The response
 * shapes repeat src/modules/boards/present.ts on purpose: see reference-server.ts.
 */

interface Row {
  id: number;
  [column: string]: unknown;
}

interface TaskRow extends Row {
  owner_id: number;
  board_id: number | null;
  list_id: number | null;
  position: number;
  version: number;
}

export interface BoardRouteDeps {
  db: Database;
  present: (row: never, tags: string[]) => Record<string, unknown>;
  problem: (status: number, detail: string) => Response;
}

const iso = (ms: number) => new Date(ms).toISOString();
const RANK: Record<string, number> = { viewer: 0, editor: 1, owner: 2 };

export function createBoardRoutes({ db, present, problem }: BoardRouteDeps) {
  const findRole = db.query<{ role: string }, [number, number]>(
    "SELECT role FROM board_members WHERE user_id = ? AND board_id = ?",
  );
  const selectBoard = db.query<Row & Record<string, number | string>, [number]>(
    "SELECT * FROM boards WHERE id = ?",
  );
  const selectTags = db.query<{ task_id: number; tag: string }, [number]>(
    `SELECT tt.task_id, tt.tag FROM tasks t JOIN task_tags tt ON tt.task_id = t.id
     WHERE t.board_id = ? ORDER BY tt.task_id, tt.tag`,
  );
  const selectCards = db.query<TaskRow, [number]>(
    "SELECT * FROM tasks WHERE board_id = ? ORDER BY list_id, position, id",
  );
  const selectLists = db.query<Row & Record<string, number | string>, [number]>(
    "SELECT * FROM lists WHERE board_id = ? ORDER BY position, id",
  );
  const selectMembers = db.query<Record<string, number | string | null>, [number]>(
    `SELECT m.user_id, u.username, u.full_name, m.role, m.created_at
     FROM board_members m JOIN users u ON u.id = m.user_id
     WHERE m.board_id = ? ORDER BY m.created_at, m.user_id`,
  );

  const readBoard = db.transaction((userId: number, boardId: number) => {
    const role = findRole.get(userId, boardId)?.role;
    const board = role ? selectBoard.get(boardId) : null;
    if (!role || !board) return null;
    const tags = new Map<number, string[]>();
    for (const row of selectTags.all(boardId)) {
      const list = tags.get(row.task_id);
      if (list) list.push(row.tag);
      else tags.set(row.task_id, [row.tag]);
    }
    const cards = new Map<number, Record<string, unknown>[]>();
    for (const row of selectCards.all(boardId)) {
      const card = present(row as never, tags.get(row.id) ?? []);
      const list = cards.get(row.list_id ?? 0);
      if (list) list.push(card);
      else cards.set(row.list_id ?? 0, [card]);
    }
    return {
      id: board.id,
      name: board.name,
      description: board.description,
      owner_id: board.owner_id,
      role,
      created_at: iso(Number(board.created_at)),
      updated_at: iso(Number(board.updated_at)),
      version: board.version,
      lists: selectLists.all(boardId).map((list) => ({
        id: list.id,
        board_id: list.board_id,
        name: list.name,
        position: list.position,
        created_at: iso(Number(list.created_at)),
        updated_at: iso(Number(list.updated_at)),
        cards: cards.get(list.id) ?? [],
      })),
      members: selectMembers.all(boardId).map((member) => ({
        user_id: member.user_id,
        username: member.username,
        full_name: member.full_name,
        role: member.role,
        added_at: iso(Number(member.created_at)),
      })),
    };
  });

  function getBoard(userId: number, boardId: number): Response {
    const board = readBoard(userId, boardId);
    if (!board) return problem(404, "Board not found");
    return Response.json(board, { headers: { etag: `"b${board.id}.${board.version}"` } });
  }

  const selectTask = db.query<TaskRow, [number]>("SELECT * FROM tasks WHERE id IN (?)");
  const selectList = db.query<{ id: number; board_id: number }, [number]>(
    "SELECT * FROM lists WHERE id = ?",
  );
  const countCards = db.query<{ n: number }, [number]>(
    "SELECT count(*) AS n FROM tasks WHERE list_id = ?",
  );
  const closeSlot = db.query(
    `UPDATE tasks SET position = position - 1, version = version + 1
    WHERE list_id = ? AND position > ?`,
  );
  const openSlot = db.query(
    `UPDATE tasks SET position = position + 1, version = version + 1
    WHERE list_id = ? AND position >= ?`,
  );
  const taskTags = db.query<{ task_id: number; tag: string }, [number]>(
    "SELECT task_id, tag FROM task_tags WHERE task_id IN (?) ORDER BY task_id, tag",
  );
  const updatePlacement = db.query<TaskRow, number[]>(
    `UPDATE tasks SET board_id = ?, list_id = ?, position = ?, updated_at = ?, version = ?
     WHERE id = ? AND version = ? RETURNING *`,
  );
  const insertActivity = db.query(
    `INSERT INTO activity (board_id, actor_id, action, subject_type, subject_id, data, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?)`,
  );
  const touchBoard = db.query(
    "UPDATE boards SET version = version + 1, updated_at = ? WHERE id = ?",
  );
  // The realtime outbox row Kanbun must write in every change's transaction (issue 9).
  const insertEvent = db.query(
    "INSERT INTO events (type, board_id, user_id, data, created_at) VALUES (?, ?, ?, ?, ?)",
  );

  type Outcome = { status: number; detail?: string; task?: Record<string, unknown> };

  const move = (userId: number, taskId: number, listId: number, requested?: number): Outcome => {
    const task = selectTask.get(taskId);
    if (!task) return { status: 404, detail: "Task not found" };
    if (task.board_id === null) {
      if (task.owner_id !== userId) return { status: 404, detail: "Task not found" };
    } else {
      const role = findRole.get(userId, task.board_id)?.role;
      if (!role) return { status: 404, detail: "Task not found" };
      if ((RANK[role] ?? 0) < 1) return { status: 403, detail: "Your role does not allow changes" };
    }
    const list = selectList.get(listId);
    const role = list && findRole.get(userId, list.board_id)?.role;
    if (!list || !role) return { status: 422, detail: "No such list" };
    if ((RANK[role] ?? 0) < 1) return { status: 403, detail: "Your role does not allow changes" };
    const tags = taskTags.all(task.id).map((row) => row.tag);
    if (list.id === task.list_id && requested === undefined) {
      return { status: 200, task: present(task as never, tags) };
    }
    // The benchmark moves cards to another list; a move within a list is Kanbun's alone.
    if (task.list_id !== null) closeSlot.run(task.list_id, task.position);
    const count = countCards.get(list.id)?.n ?? 0;
    const at = Math.min(Math.max(Math.trunc(requested ?? count), 0), count);
    if (at < count) openSlot.run(list.id, at);
    const now = Date.now();
    const updated = updatePlacement.get(
      list.board_id,
      list.id,
      at,
      now,
      task.version + 1,
      task.id,
      task.version,
    );
    if (!updated) return { status: 412, detail: "Changed meanwhile" };
    const data = JSON.stringify({
      from_board_id: task.board_id,
      from_list_id: task.list_id,
      from_position: task.list_id === null ? null : task.position,
      to_board_id: list.board_id,
      to_list_id: list.id,
      to_position: at,
    });
    insertActivity.run(list.board_id, userId, "card.moved", "card", task.id, data, now);
    touchBoard.run(now, list.board_id);
    const moved = present(updated as never, tags);
    insertEvent.run("task.updated", list.board_id, null, JSON.stringify(moved), now);
    return { status: 200, task: moved };
  };

  async function moveTask(userId: number, taskId: number, request: Request): Promise<Response> {
    let body: unknown;
    try {
      body = await request.json();
    } catch {
      return problem(400, "Malformed JSON");
    }
    const b = body as Record<string, unknown>;
    const valid =
      typeof body === "object" &&
      body !== null &&
      Object.keys(b).every((key) => key === "list_id" || key === "position") &&
      Number.isInteger(b.list_id) &&
      (b.position === undefined || Number.isInteger(b.position));
    if (!valid) return problem(422, "Only list_id and position are moved here");
    const outcome = db
      .transaction(() =>
        move(userId, taskId, b.list_id as number, b.position as number | undefined),
      )
      .immediate();
    if (!outcome.task) return problem(outcome.status, outcome.detail ?? "");
    return Response.json(outcome.task, {
      headers: { etag: `"${outcome.task.id}.${outcome.task.version}"` },
    });
  }

  return { getBoard, moveTask };
}

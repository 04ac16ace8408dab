import type { ActorContext } from "../../platform/context";
import type { Sql } from "../../platform/db/sql";
import type { TaskRow } from "../../platform/db/tables";
import { NotFound, PreconditionFailed, ValidationFailed } from "../../platform/errors";
import { codePointLength } from "../../platform/http/schema-kinds";
import { assertIfMatch, type Preconditions } from "../../platform/preconditions";
import { authorizeTask, findRole, NOT_FOUND } from "../boards/access";
import { recordBoardChange } from "../boards/changes";
import { raiseAssignmentNotice } from "../notifications/raise";
import {
  assertAssignable,
  assertCardPosition,
  chooseList,
  moveCard,
  placeNewCard,
  recordCardChanges,
  removeCard,
  targetList,
} from "./cards";
import { parseIsoDate } from "./dates";
import { recordTaskGone, recordTaskSaved } from "./events";
import { etagOf, presentTask, type TaskView } from "./present";
import {
  deleteTaskRow,
  insertTaskRow,
  nextPersonalPosition,
  replaceTags,
  selectTags,
  selectTaskRows,
  updateTaskRow,
} from "./rows";
import { MAX_TITLE_LENGTH } from "./schema";

export interface TaskFields {
  title?: string;
  description?: string;
  completed?: boolean;
  due_date?: string | null;
  priority?: number;
  tags?: string[];
  position?: number;
  list_id?: number | null;
  assignee_id?: number | null;
}

export interface CreateTaskInput extends TaskFields {
  title: string;
}

/** How an edit is named in a card's activity; placement columns are recorded as a move instead. */
const FIELD_NAMES: Partial<Record<keyof TaskRow, string>> = {
  title: "title",
  description: "description",
  completed: "completed",
  dueDate: "due_date",
  priority: "priority",
  assigneeId: "assignee_id",
};

export async function createTask(
  { deps, actor }: ActorContext,
  input: CreateTaskInput,
): Promise<TaskView> {
  const fields = normalizeFields(input);
  const now = deps.clock.now();
  const tags = fields.tags ?? [];
  const listId = input.list_id ?? null;
  // The hottest write: plain SQL text in one transaction (see rows.ts).
  return await deps.sql.transaction(async () => {
    const list = listId === null ? null : await targetList(deps.sql, actor.userId, listId);
    if (list) assertCardPosition(fields.position);
    const boardId = list?.board_id ?? null;
    await assertAssignable(deps.sql, boardId, actor.userId, fields.assigneeId);
    const position = list
      ? await placeNewCard(deps.sql, list.id, fields.position)
      : (fields.position ?? (await nextPersonalPosition(deps.sql, actor.userId)));
    const task = await insertTaskRow(
      deps.sql,
      {
        ownerId: actor.userId,
        title: fields.title ?? input.title,
        description: fields.description ?? "",
        completed: fields.completed ?? false,
        completedAt: fields.completed ? now : null,
        dueDate: fields.dueDate ?? null,
        priority: fields.priority ?? 0,
        position,
        boardId,
        listId: list?.id ?? null,
        assigneeId: fields.assigneeId ?? null,
        createdAt: now,
        updatedAt: now,
      },
      tags,
    );
    if (list) await recordCardChanges(deps.sql, now, actor.userId, null, task, []);
    const created = presentTask(task, tags);
    await recordTaskSaved(deps.sql, now, null, created);
    await raiseAssignmentNotice(deps, now, actor.userId, null, task);
    return created;
  });
}

export async function getTask({ deps, actor }: ActorContext, taskId: number): Promise<TaskView> {
  const row = await mustFindTask(deps.sql, taskId);
  await authorizeTask(deps.sql, actor.userId, row, "card.read");
  return presentTask(row, (await selectTags(deps.sql, [row.id])).get(row.id) ?? []);
}

/**
 * Partial update; only a change bumps `version` (and so the ETag). A card moves with `list_id`
 * (another list, on its board or on another one where the caller is an editor too) and/or
 * `position`; a personal task moves onto a board the same way, but a card never becomes
 * personal again.
 */
export async function updateTask(
  { deps, actor }: ActorContext,
  taskId: number,
  input: TaskFields,
  preconditions: Preconditions = {},
): Promise<TaskView> {
  const fields = normalizeFields(input);
  const now = deps.clock.now();
  return await deps.sql.transaction(async () => {
    const current = await mustFindTask(deps.sql, taskId);
    const role = await authorizeTask(deps.sql, actor.userId, current, "card.update");
    assertMatches(current, preconditions);
    const caller = { userId: actor.userId, role };
    const list = await chooseList(deps.sql, caller, current, input.list_id, fields.position);
    await assertAssignable(
      deps.sql,
      list?.board_id ?? current.boardId,
      current.ownerId,
      fields.assigneeId,
    );
    const placement = list && (await moveCard(deps.sql, current, list, fields.position));
    const currentTags = (await selectTags(deps.sql, [current.id])).get(current.id) ?? [];
    const changes = changedFields(current, fields, now);
    if (placement) {
      delete changes.position;
      if (placement.listId !== current.listId) changes.listId = placement.listId;
      if (placement.boardId !== current.boardId) changes.boardId = placement.boardId;
      if (placement.position !== current.position) changes.position = placement.position;
      // The assignee must belong to the board the card ends up on.
      const keptAssignee = changes.assigneeId === undefined ? current.assigneeId : null;
      if (changes.boardId !== undefined && keptAssignee !== null) {
        if ((await findRole(deps.sql, placement.boardId, keptAssignee)) === null) {
          changes.assigneeId = null;
        }
      }
    }
    const tagsChanged =
      fields.tags !== undefined && fields.tags.join("\n") !== currentTags.join("\n");
    if (Object.keys(changes).length === 0 && !tagsChanged) return presentTask(current, currentTags);

    if (tagsChanged && fields.tags) await replaceTags(deps.sql, current.id, fields.tags);

    const updated = await updateTaskRow(deps.sql, current, changes, now);
    // Writes are serialised by SQLite, so the version cannot have moved under us; stay safe anyway.
    if (!updated) throw new PreconditionFailed();
    const edited = Object.keys(changes).flatMap((key) => FIELD_NAMES[key as keyof TaskRow] ?? []);
    if (tagsChanged) edited.push("tags");
    await recordCardChanges(deps.sql, now, actor.userId, current, updated, edited);
    const saved = presentTask(updated, fields.tags ?? currentTags);
    await recordTaskSaved(deps.sql, now, current, saved);
    await raiseAssignmentNotice(deps, now, actor.userId, current, updated);
    return saved;
  });
}

export async function deleteTask(
  { deps, actor }: ActorContext,
  taskId: number,
  preconditions: Preconditions = {},
): Promise<void> {
  const now = deps.clock.now();
  await deps.sql.transaction(async () => {
    const current = await mustFindTask(deps.sql, taskId);
    await authorizeTask(deps.sql, actor.userId, current, "card.delete");
    assertMatches(current, preconditions);
    await deleteTaskRow(deps.sql, current.id);
    await removeCard(deps.sql, current);
    await recordTaskGone(deps.sql, now, current);
    if (current.boardId !== null) {
      await recordBoardChange(deps.sql, now, {
        boardId: current.boardId,
        actorId: actor.userId,
        action: "card.deleted",
        subjectType: "card",
        subjectId: current.id,
        data: { title: current.title, list_id: current.listId },
      });
    }
  });
}

/** Removes every personal task of the caller; cards on shared boards are left alone. */
export async function deleteAllPersonalTasks({
  deps,
  actor,
}: ActorContext): Promise<{ deleted: number }> {
  const now = deps.clock.now();
  return await deps.sql.transaction(async () => {
    const deleted = await deps.sql.all<{ id: number }>(
      "DELETE FROM tasks WHERE owner_id = ? AND board_id IS NULL RETURNING id",
      [actor.userId],
    );
    for (const { id } of deleted) {
      await recordTaskGone(deps.sql, now, {
        id,
        boardId: null,
        listId: null,
        ownerId: actor.userId,
      });
    }
    return { deleted: deleted.length };
  });
}

/**
 * Sorts in place by code point (UTF-8 byte order, as SQLite's BINARY collation does, which is how
 * stored tags are read back). JavaScript's
 * default sort compares UTF-16 units and disagrees past U+FFFF; one order keeps a no-op a no-op.
 */
function sortTags(tags: string[]): string[] {
  return tags.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** The task, or 404; whether the caller may see it is for authorizeTask to say. */
async function mustFindTask(sql: Sql, taskId: number): Promise<TaskRow> {
  const row = (await selectTaskRows(sql, [taskId]))[0];
  if (!row) throw new NotFound(NOT_FOUND.task);
  return row;
}

function assertMatches(task: TaskRow, preconditions: Preconditions): void {
  assertIfMatch(etagOf(task), preconditions);
}

/** The columns an update changes, leaving out values that are already stored. */
function changedFields(current: TaskRow, fields: NormalizedFields, now: number): Partial<TaskRow> {
  const changes: Partial<TaskRow> = {};
  if (fields.title !== undefined && fields.title !== current.title) changes.title = fields.title;
  if (fields.description !== undefined && fields.description !== current.description) {
    changes.description = fields.description;
  }
  if (fields.completed !== undefined && fields.completed !== current.completed) {
    changes.completed = fields.completed;
    changes.completedAt = fields.completed ? now : null;
  }
  if (fields.dueDate !== undefined && fields.dueDate !== current.dueDate) {
    changes.dueDate = fields.dueDate;
  }
  if (fields.priority !== undefined && fields.priority !== current.priority) {
    changes.priority = fields.priority;
  }
  // moveCard (cards.ts) places a card; a personal task's position is any number its owner picks.
  if (current.listId === null && fields.position !== undefined) {
    if (fields.position !== current.position) changes.position = fields.position;
  }
  if (fields.assigneeId !== undefined && fields.assigneeId !== current.assigneeId) {
    changes.assigneeId = fields.assigneeId;
  }
  return changes;
}

export interface NormalizedFields {
  title?: string;
  description?: string;
  completed?: boolean;
  dueDate?: number | null;
  priority?: number;
  tags?: string[];
  position?: number;
  assigneeId?: number | null;
}

/** Trims text, parses dates and canonicalises tags; rejects what the schema cannot express. */
function normalizeFields(input: TaskFields): NormalizedFields {
  const errors: { path: string; message: string }[] = [];
  const fields: NormalizedFields = {
    completed: input.completed,
    priority: input.priority,
    position: input.position,
  };
  if (input.title !== undefined) {
    fields.title = input.title.trim();
    if (fields.title.length === 0) errors.push({ path: "/title", message: "Must not be blank" });
    if (codePointLength(fields.title) > MAX_TITLE_LENGTH) {
      errors.push({ path: "/title", message: `Must be 1–${MAX_TITLE_LENGTH} characters` });
    }
  }
  // Descriptions keep their whitespace: indentation and blank lines can be meaningful.
  if (input.description !== undefined) fields.description = input.description;
  if (input.due_date !== undefined) {
    fields.dueDate = input.due_date === null ? null : parseIsoDate(input.due_date);
    if (fields.dueDate === null && input.due_date !== null) {
      errors.push({ path: "/due_date", message: "Not a real date between years 0000 and 9999" });
    }
  }
  if (input.tags !== undefined) {
    fields.tags = sortTags([...new Set(input.tags.map((tag) => tag.trim().toLowerCase()))]);
  }
  // Who may be assigned depends on the board the task ends up on (see cards.ts).
  fields.assigneeId = input.assignee_id;
  if (errors.length > 0) {
    throw new ValidationFailed(
      `Invalid field ${errors[0]?.path.slice(1)}: ${errors[0]?.message}`,
      errors,
    );
  }
  return fields;
}

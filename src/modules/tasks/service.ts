import { and, eq, isNull } from "drizzle-orm";
import type { ActorContext } from "../../platform/context";
import type { Db } from "../../platform/db/client";
import { type TaskRow, tasks, taskTags } from "../../platform/db/tables";
import { NotFound, PreconditionFailed, ValidationFailed } from "../../platform/errors";
import { codePointLength } from "../../platform/http/schema-kinds";
import { parseIsoDate } from "./dates";
import { etagOf, presentTask, type TaskView } from "./present";
import { insertTaskRow, nextPersonalPosition, selectTags } from "./rows";
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

/** RFC 9110 preconditions the client sent with a write. */
export interface Preconditions {
  ifMatch?: string | null;
}

const TASK_NOT_FOUND = "Task not found";

export function createTask({ deps, actor }: ActorContext, input: CreateTaskInput): TaskView {
  const fields = normalizeFields(input, actor.userId);
  const now = deps.clock.now();
  const tags = fields.tags ?? [];
  // The hottest write: cached bun:sqlite statements in one transaction (see rows.ts).
  const insert = deps.sqlite.transaction(() =>
    insertTaskRow(
      deps.sqlite,
      {
        ownerId: actor.userId,
        title: fields.title ?? input.title,
        description: fields.description ?? "",
        completed: fields.completed ?? false,
        completedAt: fields.completed ? now : null,
        dueDate: fields.dueDate ?? null,
        priority: fields.priority ?? 0,
        position: fields.position ?? nextPersonalPosition(deps.sqlite, actor.userId),
        assigneeId: fields.assigneeId ?? null,
        createdAt: now,
        updatedAt: now,
      },
      tags,
    ),
  );
  return presentTask(insert(), tags);
}

export function getTask({ deps, actor }: ActorContext, taskId: number): TaskView {
  const row = findVisibleTask(deps.db, actor.userId, taskId);
  return presentTask(row, selectTags(deps.sqlite, [row.id]).get(row.id) ?? []);
}

/** Partial update; only a change bumps `version` (and so the ETag). */
export function updateTask(
  { deps, actor }: ActorContext,
  taskId: number,
  input: TaskFields,
  preconditions: Preconditions = {},
): TaskView {
  const fields = normalizeFields(input, actor.userId);
  const now = deps.clock.now();
  return deps.db.transaction((tx) => {
    const current = findVisibleTask(tx, actor.userId, taskId);
    assertMatches(current, preconditions);
    // Same connection as the transaction, so this read sees its state.
    const currentTags = selectTags(deps.sqlite, [current.id]).get(current.id) ?? [];
    const changes: Partial<TaskRow> = {};
    if (fields.title !== undefined && fields.title !== current.title) changes.title = fields.title;
    if (fields.description !== undefined && fields.description !== current.description) {
      changes.description = fields.description;
    }
    if (fields.completed !== undefined && fields.completed !== current.completed) {
      changes.completed = fields.completed;
      changes.completedAt = fields.completed ? now : null;
    }
    if (fields.dueDate !== undefined && fields.dueDate !== current.dueDate)
      changes.dueDate = fields.dueDate;
    if (fields.priority !== undefined && fields.priority !== current.priority)
      changes.priority = fields.priority;
    if (fields.position !== undefined && fields.position !== current.position)
      changes.position = fields.position;
    if (fields.assigneeId !== undefined && fields.assigneeId !== current.assigneeId) {
      changes.assigneeId = fields.assigneeId;
    }
    const tagsChanged =
      fields.tags !== undefined && fields.tags.join("\n") !== currentTags.join("\n");
    if (Object.keys(changes).length === 0 && !tagsChanged) return presentTask(current, currentTags);

    if (tagsChanged && fields.tags) {
      tx.delete(taskTags).where(eq(taskTags.taskId, current.id)).run();
      if (fields.tags.length > 0) {
        tx.insert(taskTags)
          .values(fields.tags.map((tag) => ({ taskId: current.id, tag })))
          .run();
      }
    }
    const updated = tx
      .update(tasks)
      .set({ ...changes, updatedAt: now, version: current.version + 1 })
      .where(and(eq(tasks.id, current.id), eq(tasks.version, current.version)))
      .returning()
      .get();
    // Writes are serialised by SQLite, so the version cannot have moved under us; stay safe anyway.
    if (!updated) throw new PreconditionFailed();
    return presentTask(updated, fields.tags ?? currentTags);
  });
}

export function deleteTask(
  { deps, actor }: ActorContext,
  taskId: number,
  preconditions: Preconditions = {},
): void {
  deps.db.transaction((tx) => {
    const current = findVisibleTask(tx, actor.userId, taskId);
    assertMatches(current, preconditions);
    tx.delete(tasks).where(eq(tasks.id, current.id)).run();
  });
}

/** Removes every personal task of the caller; cards on shared boards are left alone. */
export function deleteAllPersonalTasks({ deps, actor }: ActorContext): { deleted: number } {
  const deleted = deps.db
    .delete(tasks)
    .where(and(eq(tasks.ownerId, actor.userId), isNull(tasks.boardId)))
    .returning({ id: tasks.id })
    .all();
  return { deleted: deleted.length };
}

/**
 * Sorts in place by code point (UTF-8 byte order, as SQLite's BINARY collation does, which is how
 * stored tags are read back). JavaScript's
 * default sort compares UTF-16 units and disagrees past U+FFFF; one order keeps a no-op a no-op.
 */
function sortTags(tags: string[]): string[] {
  return tags.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** A task the caller may see, or 404: other users' tasks do not exist as far as they can tell. */
export function findVisibleTask(db: Db, userId: number, taskId: number): TaskRow {
  const row = db
    .select()
    .from(tasks)
    .where(and(eq(tasks.id, taskId), eq(tasks.ownerId, userId)))
    .get();
  if (!row) throw new NotFound(TASK_NOT_FOUND);
  return row;
}

function assertMatches(task: TaskRow, { ifMatch }: Preconditions): void {
  if (ifMatch === undefined || ifMatch === null) return;
  if (ifMatch.trim() === "*") return;
  const current = etagOf(task);
  // If-Match uses the strong comparison: weak validators never match.
  const matches = ifMatch.split(",").some((candidate) => candidate.trim() === current);
  if (!matches) throw new PreconditionFailed();
}

interface NormalizedFields {
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
function normalizeFields(input: TaskFields, actorId: number): NormalizedFields {
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
  if (input.list_id !== undefined && input.list_id !== null) {
    errors.push({ path: "/list_id", message: "No such list" });
  }
  if (input.assignee_id !== undefined) {
    // Until boards exist, a task can only be assigned to its owner.
    if (input.assignee_id !== null && input.assignee_id !== actorId) {
      errors.push({
        path: "/assignee_id",
        message: "A personal task can only be assigned to yourself",
      });
    }
    fields.assigneeId = input.assignee_id;
  }
  if (errors.length > 0) {
    throw new ValidationFailed(
      `Invalid field ${errors[0]?.path.slice(1)}: ${errors[0]?.message}`,
      errors,
    );
  }
  return fields;
}

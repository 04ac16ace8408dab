import type { Sql } from "../../platform/db/sql";

/**
 * Dense 0-based ordering: lists within a board, cards within a list. Every function runs inside
 * the caller's write transaction and reads the scope's current state there, so the positions it
 * computes cannot be stale; each keeps the scope dense (0..n-1, no duplicates) if it was dense.
 *
 * Cards are tasks: the siblings a move shifts get a new version too, since their position (part
 * of their representation and so of their ETag) changed.
 */
export interface OrderedScope {
  /** The SQL of a scope is built from these constants only, never from input. */
  table: "lists" | "tasks";
  column: "board_id" | "list_id";
  bumpsVersion: boolean;
}

export const LISTS_OF_BOARD: OrderedScope = {
  table: "lists",
  column: "board_id",
  bumpsVersion: false,
};
export const CARDS_OF_LIST: OrderedScope = {
  table: "tasks",
  column: "list_id",
  bumpsVersion: true,
};

function shift(scope: OrderedScope, by: "+ 1" | "- 1", range: string): string {
  const version = scope.bumpsVersion ? ", version = version + 1" : "";
  return `UPDATE ${scope.table} SET position = position ${by}${version}
    WHERE ${scope.column} = ? AND ${range}`;
}

/** How many items the scope holds. */
export async function countIn(sql: Sql, scope: OrderedScope, scopeId: number): Promise<number> {
  return (
    (
      await sql.get<{ n: number }>(
        `SELECT count(*) AS n FROM ${scope.table} WHERE ${scope.column} = ?`,
        [scopeId],
      )
    )?.n ?? 0
  );
}

/** The index a requested position lands on among `count` slots: whole, within 0..count. */
export function clampPosition(requested: number | undefined, count: number): number {
  if (requested === undefined) return count;
  return Math.min(Math.max(Math.trunc(requested), 0), count);
}

/**
 * Makes room at `requested` (appending when it is left out) for an item about to enter the
 * scope, and returns the index it must take.
 */
export async function openSlot(
  sql: Sql,
  scope: OrderedScope,
  scopeId: number,
  requested: number | undefined,
): Promise<number> {
  const count = await countIn(sql, scope, scopeId);
  const at = clampPosition(requested, count);
  if (at < count) await sql.run(shift(scope, "+ 1", "position >= ?"), [scopeId, at]);
  return at;
}

/** Closes the gap an item leaving the scope from `position` leaves behind. */
export async function closeSlot(
  sql: Sql,
  scope: OrderedScope,
  scopeId: number,
  position: number,
): Promise<void> {
  await sql.run(shift(scope, "- 1", "position > ?"), [scopeId, position]);
}

/**
 * Moves an item of the scope from `from` to the requested index (clamped), shifting the items
 * in between; returns the index it ends on. The caller writes the item's own new position.
 */
export async function shiftForMove(
  sql: Sql,
  scope: OrderedScope,
  scopeId: number,
  from: number,
  requested: number,
): Promise<number> {
  const to = clampPosition(requested, (await countIn(sql, scope, scopeId)) - 1);
  if (to > from) {
    await sql.run(shift(scope, "- 1", "position > ? AND position <= ?"), [scopeId, from, to]);
  } else if (to < from) {
    await sql.run(shift(scope, "+ 1", "position >= ? AND position < ?"), [scopeId, to, from]);
  }
  return to;
}

import { and, count, eq, ne } from "drizzle-orm";
import type { Db } from "../../platform/db/orm";
import { type UserRow, users } from "../../platform/db/tables";
import { Conflict } from "../../platform/errors";

/**
 * Refuses a change that would leave no active superadmin: without one, nobody could ever grant
 * admin rights again. Call it inside the transaction that makes the change.
 */
export async function assertKeepsASuperadmin(
  tx: Db,
  target: Pick<UserRow, "id" | "role" | "isActive">,
  after: { role: UserRow["role"]; isActive: boolean } | "deleted",
): Promise<void> {
  if (target.role !== "superadmin" || !target.isActive) return;
  if (after !== "deleted" && after.role === "superadmin" && after.isActive) return;
  const others =
    (
      await tx
        .select({ n: count() })
        .from(users)
        .where(and(eq(users.role, "superadmin"), eq(users.isActive, true), ne(users.id, target.id)))
        .get()
    )?.n ?? 0;
  if (others === 0)
    throw new Conflict("The last active superadmin cannot be demoted, deactivated or deleted");
}

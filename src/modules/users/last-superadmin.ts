import type { Sql } from "../../platform/db/sql";
import type { UserRow } from "../../platform/db/tables";
import { Conflict } from "../../platform/errors";
import { countOtherActiveSuperadmins } from "./rows";

/**
 * Refuses a change that would leave no active superadmin: without one, nobody could ever grant
 * admin rights again. Call it inside the transaction that makes the change.
 */
export async function assertKeepsASuperadmin(
  sql: Sql,
  target: Pick<UserRow, "id" | "role" | "isActive">,
  after: { role: UserRow["role"]; isActive: boolean } | "deleted",
): Promise<void> {
  if (target.role !== "superadmin" || !target.isActive) return;
  if (after !== "deleted" && after.role === "superadmin" && after.isActive) return;
  const others = await countOtherActiveSuperadmins(sql, target.id);
  if (others === 0)
    throw new Conflict("The last active superadmin cannot be demoted, deactivated or deleted");
}

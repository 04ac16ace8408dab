import { eq } from "drizzle-orm";
import type { ActorContext } from "../../platform/context";
import { users } from "../../platform/db/tables";
import { NotFound } from "../../platform/errors";
import { presentUser } from "./present";

export function getCurrentUser({ deps, actor }: ActorContext) {
  const user = deps.db.select().from(users).where(eq(users.id, actor.userId)).get();
  if (!user) throw new NotFound("User not found");
  return presentUser(user);
}

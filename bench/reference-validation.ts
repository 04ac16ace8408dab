/** The reference server's check of a POST /tasks body: the fields and limits Kanbun's schema has. */

const CREATE_FIELDS = new Set([
  "title",
  "description",
  "completed",
  "due_date",
  "priority",
  "tags",
]);

export interface CreateBody {
  title: string;
  description?: string;
  completed?: boolean;
  due_date?: string | null;
  priority?: number;
  tags?: string[];
}

export function validCreate(body: unknown): body is CreateBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const b = body as Record<string, unknown>;
  if (Object.keys(b).some((field) => !CREATE_FIELDS.has(field))) return false;
  if (typeof b.title !== "string" || b.title.trim().length === 0 || b.title.length > 200)
    return false;
  if (
    b.description !== undefined &&
    (typeof b.description !== "string" || b.description.length > 10_000)
  )
    return false;
  if (b.completed !== undefined && typeof b.completed !== "boolean") return false;
  if (
    b.priority !== undefined &&
    !(Number.isInteger(b.priority) && Number(b.priority) >= 0 && Number(b.priority) <= 4)
  )
    return false;
  if (
    b.due_date !== undefined &&
    b.due_date !== null &&
    Number.isNaN(Date.parse(String(b.due_date)))
  )
    return false;
  if (b.tags !== undefined) {
    if (!Array.isArray(b.tags) || b.tags.length > 20) return false;
    if (
      !b.tags.every((tag) => typeof tag === "string" && tag.trim().length > 0 && tag.length <= 32)
    )
      return false;
  }
  return true;
}

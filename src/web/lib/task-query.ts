/** The My tasks filters, as GET /tasks query parameters. */
export interface TaskFilters {
  status: "open" | "done" | "all";
  q: string;
  priority: string;
  tag: string;
  overdue: boolean;
  sort: string;
}

export const DEFAULT_FILTERS: TaskFilters = {
  status: "open",
  q: "",
  priority: "",
  tag: "",
  overdue: false,
  sort: "-created_at",
};

export const SORTS: [string, string][] = [
  ["-created_at", "Newest first"],
  ["created_at", "Oldest first"],
  ["due_date", "Due date"],
  ["-priority", "Priority"],
  ["title", "Title"],
  ["-updated_at", "Recently changed"],
];

export function taskQuery(filters: TaskFilters, limit = 200): string {
  const params = new URLSearchParams({ limit: String(limit) });
  if (filters.status !== "all") params.set("completed", String(filters.status === "done"));
  if (filters.q.trim()) params.set("q", filters.q.trim());
  else params.set("sort", filters.sort);
  if (filters.priority) params.set("priority", filters.priority);
  if (filters.tag.trim()) params.set("tag", filters.tag.trim());
  if (filters.overdue) params.set("overdue", "true");
  return `/tasks?${params}`;
}

import { useEffect, useRef, useState } from "preact/hooks";
import { api, describeError } from "../api/client";
import type { Task } from "../api/types";
import { Field, FormError } from "../components/form";
import { TaskPanel } from "../components/task-panel";
import { useDraft } from "../lib/drafts";
import { countOf, formatDue, fromDateInput, isOverdue, PRIORITIES } from "../lib/format";
import { linkedId } from "../lib/links";
import { clearLink, currentSearch } from "../lib/router";
import { DEFAULT_FILTERS, SORTS, type TaskFilters, taskQuery } from "../lib/task-query";
import { onLive } from "../state/live";
import { showToast } from "../state/toasts";

export function TasksPage() {
  const [filters, setFilters] = useState<TaskFilters>(DEFAULT_FILTERS);
  const [tasks, setTasks] = useState<Task[] | null>(null);
  const [total, setTotal] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [title, setTitle] = useDraft("task");
  const [due, setDue] = useState("");
  const [priority, setPriority] = useState(0);
  const [openId, setOpenId] = useState<number | null>(null);
  // `?task=7` (a notification, an email's link) opens that task.
  const linkedTask = linkedId(currentSearch.value, "task");
  useEffect(() => {
    if (linkedTask !== null) setOpenId(linkedTask);
  }, [linkedTask]);
  // Filters start folded on a narrow screen, where they would push the tasks out of view.
  const [wide] = useState(() => matchMedia("(min-width: 700px)").matches);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  async function load(current = filtersRef.current) {
    try {
      const response = await api.get<Task[]>(taskQuery(current));
      if (current !== filtersRef.current) return;
      setTasks(response.data);
      setTotal(Number(response.headers.get("x-total-count") ?? response.data.length));
      setError(null);
    } catch (failure) {
      setError(describeError(failure));
    }
  }
  useEffect(() => {
    const timer = setTimeout(() => void load(filters), filters.q ? 250 : 0);
    return () => clearTimeout(timer);
  }, [filters]);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return onLive((event) => {
      if (event !== "resync" && !event.type.startsWith("task.")) return;
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 150);
    });
  }, []);

  const set = (patch: Partial<TaskFilters>) => setFilters({ ...filters, ...patch });
  const replace = (task: Task) =>
    setTasks((list) => list?.map((t) => (t.id === task.id ? task : t)) ?? null);

  async function add(event: Event) {
    event.preventDefault();
    const text = title.trim();
    if (!text) return;
    try {
      const body: Record<string, unknown> = { title: text, priority };
      const dueDate = fromDateInput(due);
      if (dueDate) body.due_date = dueDate;
      const { data } = await api.post<Task>("/tasks", body);
      setTasks((list) => [data, ...(list ?? []).filter((t) => t.id !== data.id)]);
      setTitle("");
      setDue("");
      setPriority(0);
    } catch (failure) {
      showToast(`Task not added: ${describeError(failure)}`, "error");
    }
  }

  async function toggle(task: Task) {
    const optimistic = { ...task, completed: !task.completed };
    replace(optimistic);
    try {
      replace(
        (await api.patch<Task>(`/tasks/${task.id}`, { completed: optimistic.completed })).data,
      );
    } catch (failure) {
      replace(task);
      showToast(`“${task.title}” was not updated: ${describeError(failure)}`, "error");
    }
  }

  return (
    <section class="page">
      <h1>My tasks</h1>
      <form class="quick-add" onSubmit={(event) => void add(event)}>
        <Field label="New task" class="grow">
          {(id) => (
            <input
              id={id}
              data-shortcut="new"
              value={title}
              placeholder="What needs doing?"
              onInput={(e) => setTitle(e.currentTarget.value)}
            />
          )}
        </Field>
        <Field label="Due">
          {(id) => (
            <input id={id} type="date" value={due} onInput={(e) => setDue(e.currentTarget.value)} />
          )}
        </Field>
        <Field label="Priority">
          {(id) => (
            <select
              id={id}
              value={priority}
              onChange={(e) => setPriority(Number(e.currentTarget.value))}
            >
              {PRIORITIES.map((name, value) => (
                <option key={name} value={value}>
                  {name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <button type="submit" class="primary">
          Add task
        </button>
      </form>
      <section class="filters" aria-label="Filter tasks">
        <Field label="Search" class="grow">
          {(id) => (
            <input
              id={id}
              data-shortcut="search"
              type="search"
              value={filters.q}
              onInput={(e) => set({ q: e.currentTarget.value })}
            />
          )}
        </Field>
        <details class="more-filters" open={wide}>
          <summary>Filters and sort</summary>
          <div class="filter-fields">
            <Field label="Show">
              {(id) => (
                <select
                  id={id}
                  value={filters.status}
                  onChange={(e) => set({ status: e.currentTarget.value as TaskFilters["status"] })}
                >
                  <option value="open">Open</option>
                  <option value="done">Completed</option>
                  <option value="all">All</option>
                </select>
              )}
            </Field>
            <Field label="With priority">
              {(id) => (
                <select
                  id={id}
                  value={filters.priority}
                  onChange={(e) => set({ priority: e.currentTarget.value })}
                >
                  <option value="">Any</option>
                  {PRIORITIES.map((name, value) => (
                    <option key={name} value={String(value)}>
                      {name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Tag">
              {(id) => (
                <input
                  id={id}
                  value={filters.tag}
                  size={10}
                  onInput={(e) => set({ tag: e.currentTarget.value })}
                />
              )}
            </Field>
            <Field label="Sort">
              {(id) => (
                <select
                  id={id}
                  value={filters.sort}
                  disabled={filters.q.trim() !== ""}
                  onChange={(e) => set({ sort: e.currentTarget.value })}
                >
                  {SORTS.map(([value, label]) => (
                    <option key={value} value={value}>
                      {label}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <label class="check">
              <input
                type="checkbox"
                checked={filters.overdue}
                onChange={(e) => set({ overdue: e.currentTarget.checked })}
              />
              Overdue only
            </label>
          </div>
        </details>
      </section>
      <FormError message={error} />
      {tasks && tasks.length === 0 && (
        <p class="empty">
          {filters === DEFAULT_FILTERS
            ? "Nothing to do. Add your first task above: type it and press Enter."
            : "No task matches these filters. Clear the search or choose “All”."}
        </p>
      )}
      {tasks && tasks.length > 0 && (
        <p class="hint">
          {total === tasks.length ? countOf(total, "task") : `Showing ${tasks.length} of ${total}`}
        </p>
      )}
      <ul class="task-list">
        {tasks?.map((task) => (
          <li key={task.id} class={task.completed ? "task done" : "task"}>
            <input
              type="checkbox"
              checked={task.completed}
              aria-label={`Complete ${task.title}`}
              onChange={() => void toggle(task)}
            />
            <button type="button" class="task-title" onClick={() => setOpenId(task.id)}>
              {task.title}
            </button>
            <span class="task-meta">
              {task.board_id !== null && (
                <a href={`/boards/${task.board_id}`} class="tag">
                  board card
                </a>
              )}
              {task.priority > 0 && (
                <span class={`priority p${task.priority}`}>{PRIORITIES[task.priority]}</span>
              )}
              {task.due_date && (
                <span class={isOverdue(task.due_date) && !task.completed ? "due overdue" : "due"}>
                  Due {formatDue(task.due_date)}
                </span>
              )}
              {task.tags.map((tag) => (
                <button
                  key={tag}
                  type="button"
                  class="tag"
                  onClick={() => set({ tag })}
                  aria-label={`Filter by tag ${tag}`}
                >
                  {tag}
                </button>
              ))}
            </span>
          </li>
        ))}
      </ul>
      {openId !== null && (
        <TaskPanel
          taskId={openId}
          onClose={() => {
            setOpenId(null);
            clearLink();
            void load();
          }}
          onChange={replace}
        />
      )}
    </section>
  );
}

import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, describeError } from "../api/client";
import type { Member, Task } from "../api/types";
import { fromDateInput, PRIORITIES, parseTags, toDateInput } from "../lib/format";
import { onLive } from "../state/live";
import { showToast } from "../state/toasts";
import { Comments } from "./comments";
import { Dialog } from "./dialog";
import { Field, FormError } from "./form";

interface Draft {
  title: string;
  description: string;
  due: string;
  priority: number;
  tags: string;
  assignee: string;
}

const draftOf = (task: Task): Draft => ({
  title: task.title,
  description: task.description,
  due: toDateInput(task.due_date),
  priority: task.priority,
  tags: task.tags.join(", "),
  assignee: task.assignee_id === null ? "" : String(task.assignee_id),
});

function changesOf(task: Task, draft: Draft): Partial<Task> {
  const changes: Partial<Task> = {};
  if (draft.title.trim() !== task.title) changes.title = draft.title.trim();
  if (draft.description !== task.description) changes.description = draft.description;
  if (draft.due !== toDateInput(task.due_date)) changes.due_date = fromDateInput(draft.due);
  if (draft.priority !== task.priority) changes.priority = draft.priority;
  const tags = parseTags(draft.tags);
  if (tags.join("\u0000") !== task.tags.join("\u0000")) changes.tags = tags;
  const assignee = draft.assignee === "" ? null : Number(draft.assignee);
  if (assignee !== task.assignee_id) changes.assignee_id = assignee;
  return changes;
}

/**
 * A task or card, edited in a dialog. Saves with If-Match: when someone else changed it in the
 * meantime (412) the user sees their version and chooses, nothing is overwritten silently.
 */
export function TaskPanel(props: {
  taskId: number;
  members?: Member[];
  readOnly?: boolean;
  onClose: () => void;
  /** Called with the task to show: the edit at once, then the saved task or the rollback. */
  onChange?: (task: Task) => void;
}) {
  const [task, setTask] = useState<Task | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<{ task: Task; etag: string | null } | null>(null);
  const [busy, setBusy] = useState(false);

  async function load() {
    try {
      const response = await api.get<Task>(`/tasks/${props.taskId}`);
      setTask(response.data);
      setEtag(response.headers.get("etag"));
      setDraft(draftOf(response.data));
    } catch (failure) {
      setError(describeError(failure));
    }
  }
  useEffect(() => {
    void load();
  }, [props.taskId]);
  const [changedElsewhere, setChangedElsewhere] = useState(false);
  // Our own delete's event can arrive before its response: it is not someone else's doing.
  const deleting = useRef(false);
  const latest = useRef({ task, draft, busy });
  latest.current = { task, draft, busy };
  // Someone else's change: shown at once when nothing is being edited here; otherwise said,
  // and the save that follows meets the 412 and its choice.
  useEffect(
    () =>
      onLive((event) => {
        const { task: shown, draft: editing, busy: saving } = latest.current;
        const dirty = shown && editing && Object.keys(changesOf(shown, editing)).length > 0;
        if (event === "resync") {
          if (!dirty && !saving) void load();
          return;
        }
        if (event.data.id !== props.taskId) return;
        if (event.type === "task.deleted") {
          if (deleting.current) return;
          showToast("This card was deleted by someone else.", "error");
          props.onClose();
        } else if (event.type === "task.updated" && shown && !saving) {
          if ((event.data as unknown as Task).version <= shown.version) return;
          if (dirty) setChangedElsewhere(true);
          else void load();
        }
      }),
    [props.taskId],
  );

  async function save(event: Event, base = task, ifMatch = etag) {
    event.preventDefault();
    if (!base || !draft || props.readOnly) return;
    const changes = changesOf(base, draft);
    if (Object.keys(changes).length === 0) return props.onClose();
    setBusy(true);
    setError(null);
    props.onChange?.({ ...base, ...changes });
    try {
      const headers: Record<string, string> = ifMatch ? { "if-match": ifMatch } : {};
      const response = await api.patch<Task>(`/tasks/${base.id}`, changes, headers);
      props.onChange?.(response.data);
      setTask(response.data);
      setEtag(response.headers.get("etag"));
      setConflict(null);
      setChangedElsewhere(false);
      props.onClose();
    } catch (failure) {
      props.onChange?.(base);
      if (failure instanceof ApiError && failure.status === 412) await showConflict(base.id);
      else setError(`Not saved: ${describeError(failure)}`);
    } finally {
      setBusy(false);
    }
  }

  /** Their version beside mine; if it cannot be fetched, the save is still reported as failed. */
  async function showConflict(taskId: number) {
    try {
      const current = await api.get<Task>(`/tasks/${taskId}`);
      setConflict({ task: current.data, etag: current.headers.get("etag") });
      props.onChange?.(current.data);
    } catch (failure) {
      setError(`Not saved: someone else changed this card. ${describeError(failure)}`);
    }
  }

  async function remove() {
    if (!task || !confirm(`Delete “${task.title}”?`)) return;
    deleting.current = true;
    try {
      await api.delete(`/tasks/${task.id}`);
      showToast(`Deleted “${task.title}”.`);
      props.onClose();
    } catch (failure) {
      deleting.current = false;
      setError(describeError(failure));
    }
  }

  const set = (patch: Partial<Draft>) => draft && setDraft({ ...draft, ...patch });
  const readOnly = props.readOnly ?? false;
  const members = props.members;
  return (
    <Dialog title={task ? task.title : "Card"} onClose={props.onClose} wide>
      {!task || !draft ? (
        error ? (
          <FormError message={error} />
        ) : (
          <p>Loading…</p>
        )
      ) : (
        <div class="panel-body">
          {changedElsewhere && !conflict && (
            <p class="note" role="status">
              Someone else changed this card while you were editing it. Saving will show you their
              version first.
            </p>
          )}
          {conflict && (
            <div class="conflict" role="alert">
              <p>
                <strong>Changed by someone else.</strong> While you were editing, this card became:
                “{conflict.task.title}”
                {conflict.task.description ? ` — ${conflict.task.description.slice(0, 140)}` : ""}.
              </p>
              <div class="row">
                <button
                  type="button"
                  onClick={() => {
                    setTask(conflict.task);
                    setEtag(conflict.etag);
                    setDraft(draftOf(conflict.task));
                    setConflict(null);
                    setChangedElsewhere(false);
                  }}
                >
                  Use their version
                </button>
                <button
                  type="button"
                  class="primary"
                  onClick={(event) => void save(event, conflict.task, conflict.etag)}
                >
                  Save mine over it
                </button>
              </div>
            </div>
          )}
          <form class="task-form" onSubmit={(event) => void save(event)}>
            <fieldset disabled={readOnly}>
              {readOnly && <p class="note">You can view this board but not change it.</p>}
              <Field label="Title">
                {(id) => (
                  <input
                    id={id}
                    value={draft.title}
                    required
                    onInput={(e) => set({ title: e.currentTarget.value })}
                  />
                )}
              </Field>
              <Field label="Description">
                {(id) => (
                  <textarea
                    id={id}
                    rows={4}
                    value={draft.description}
                    onInput={(e) => set({ description: e.currentTarget.value })}
                  />
                )}
              </Field>
              <div class="grid-2">
                <Field label="Due date">
                  {(id) => (
                    <input
                      id={id}
                      type="date"
                      value={draft.due}
                      onInput={(e) => set({ due: e.currentTarget.value })}
                    />
                  )}
                </Field>
                <Field label="Priority">
                  {(id) => (
                    <select
                      id={id}
                      value={draft.priority}
                      onChange={(e) => set({ priority: Number(e.currentTarget.value) })}
                    >
                      {PRIORITIES.map((name, value) => (
                        <option key={name} value={value}>
                          {name}
                        </option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field label="Tags">
                  {(id) => (
                    <input
                      id={id}
                      value={draft.tags}
                      placeholder="design, urgent"
                      onInput={(e) => set({ tags: e.currentTarget.value })}
                    />
                  )}
                </Field>
                {members && (
                  <Field label="Assignee">
                    {(id) => (
                      <select
                        id={id}
                        value={draft.assignee}
                        onChange={(e) => set({ assignee: e.currentTarget.value })}
                      >
                        <option value="">Nobody</option>
                        {members.map((member) => (
                          <option key={member.user_id} value={String(member.user_id)}>
                            {member.username}
                          </option>
                        ))}
                      </select>
                    )}
                  </Field>
                )}
              </div>
              <FormError message={error} />
              {!readOnly && (
                <div class="row">
                  <button type="submit" class="primary" disabled={busy}>
                    Save
                  </button>
                  <button type="button" class="danger" onClick={() => void remove()}>
                    Delete
                  </button>
                </div>
              )}
            </fieldset>
          </form>
          <Comments
            taskId={task.id}
            names={props.members?.map((member) => member.username) ?? []}
            readOnly={readOnly}
          />
        </div>
      )}
    </Dialog>
  );
}

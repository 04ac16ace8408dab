import { useState } from "preact/hooks";
import { api, describeError } from "../api/client";
import type { BoardDetail, Member } from "../api/types";
import { navigate } from "../lib/router";
import { currentUser } from "../state/session";
import { showToast } from "../state/toasts";
import { Dialog } from "./dialog";
import { Field, FormError } from "./form";

/** Members: owners add people, change roles and hand the board over; anyone may leave. */
export function MembersDialog(props: {
  board: BoardDetail;
  onClose: () => void;
  onChanged: () => void;
}) {
  const { board } = props;
  const me = currentUser.value;
  const isOwner = board.role === "owner";
  const [user, setUser] = useState("");
  const [role, setRole] = useState<"editor" | "viewer">("editor");
  const [error, setError] = useState<string | null>(null);

  async function act(action: () => Promise<unknown>, done?: string) {
    setError(null);
    try {
      await action();
      if (done) showToast(done);
      props.onChanged();
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  const add = (event: Event) => {
    event.preventDefault();
    void act(async () => {
      await api.post(`/boards/${board.id}/members`, { user: user.trim(), role });
      setUser("");
    }, `Added ${user.trim()}.`);
  };
  const setMemberRole = (member: Member, next: string) =>
    act(() => api.patch(`/boards/${board.id}/members/${member.user_id}`, { role: next }));
  const handOver = (member: Member) => {
    if (!confirm(`Make ${member.username} the owner? You will become an editor.`)) return;
    void act(
      () => api.patch(`/boards/${board.id}/members/${member.user_id}`, { role: "owner" }),
      `${member.username} now owns this board.`,
    );
  };
  const remove = (member: Member) => {
    const leaving = member.user_id === me?.id;
    if (!confirm(leaving ? `Leave “${board.name}”?` : `Remove ${member.username} from this board?`))
      return;
    void act(
      async () => {
        await api.delete(`/boards/${board.id}/members/${member.user_id}`);
        if (leaving) navigate("/boards");
      },
      leaving ? `You left “${board.name}”.` : `Removed ${member.username}.`,
    );
  };

  return (
    <Dialog title="Members" onClose={props.onClose}>
      <ul class="members">
        {board.members.map((member) => (
          <li key={member.user_id}>
            <span>
              <strong>{member.username}</strong>
              {member.full_name && <small> {member.full_name}</small>}
            </span>
            {isOwner && member.role !== "owner" ? (
              <select
                aria-label={`Role of ${member.username}`}
                value={member.role}
                onChange={(e) => void setMemberRole(member, e.currentTarget.value)}
              >
                <option value="editor">editor</option>
                <option value="viewer">viewer</option>
              </select>
            ) : (
              <span class="role-chip">{member.role}</span>
            )}
            {isOwner && member.role !== "owner" && (
              <button type="button" onClick={() => handOver(member)}>
                Hand over
              </button>
            )}
            {(member.user_id === me?.id ? member.role !== "owner" : isOwner) && (
              <button type="button" class="danger" onClick={() => remove(member)}>
                {member.user_id === me?.id ? "Leave board" : "Remove"}
              </button>
            )}
          </li>
        ))}
      </ul>
      {isOwner && (
        <form class="add-member" onSubmit={add}>
          <Field label="Username or email">
            {(id) => (
              <input
                id={id}
                value={user}
                required
                onInput={(e) => setUser(e.currentTarget.value)}
              />
            )}
          </Field>
          <Field label="Role">
            {(id) => (
              <select
                id={id}
                value={role}
                onChange={(e) => setRole(e.currentTarget.value as "editor" | "viewer")}
              >
                <option value="editor">editor: changes lists, cards and comments</option>
                <option value="viewer">viewer: reads only</option>
              </select>
            )}
          </Field>
          <button type="submit" class="primary">
            Add member
          </button>
        </form>
      )}
      {isOwner && (
        <p class="hint">To leave a board you own, hand it over to another member first.</p>
      )}
      <FormError message={error} />
    </Dialog>
  );
}

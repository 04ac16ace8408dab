import { useRef } from "preact/hooks";
import { ApiError, api, describeError } from "../api/client";
import type { BoardColumn, BoardList, Task } from "../api/types";
import { placeCard, removeList } from "../lib/board-model";
import { useDraft } from "../lib/drafts";
import { showToast } from "../state/toasts";
import { Field } from "./form";
import { ArrowIcon, PencilIcon, TrashIcon } from "./icons";

/** The tools at the foot and head of a board column: adding a card, and moving, renaming or deleting the list. */
export function AddCard(props: {
  list: BoardColumn;
  lists: BoardColumn[];
  onChanged: (lists: BoardColumn[]) => void;
}) {
  const [title, setTitle] = useDraft(`card.${props.list.id}`);
  async function add(event: Event) {
    event.preventDefault();
    const text = title.trim();
    if (!text) return;
    try {
      const { data } = await api.post<Task>("/tasks", { title: text, list_id: props.list.id });
      props.onChanged(placeCard(props.lists, data));
      setTitle("");
    } catch (failure) {
      showToast(`Card not added: ${describeError(failure)}`, "error");
    }
  }
  return (
    <form class="add-card" onSubmit={(event) => void add(event)}>
      <Field label="Card title">
        {(id) => (
          <input
            id={id}
            data-shortcut="new"
            value={title}
            onInput={(e) => setTitle(e.currentTarget.value)}
          />
        )}
      </Field>
      <button type="submit">Add card</button>
    </form>
  );
}

export interface ListMenuProps {
  list: BoardColumn;
  index: number;
  lists: BoardColumn[];
  onMoveList: (id: number, position: number) => void;
  onChanged: (lists: BoardColumn[]) => void;
}

export function ListMenu(props: ListMenuProps) {
  const { list, index } = props;
  const left = useRef<HTMLButtonElement>(null);
  const right = useRef<HTMLButtonElement>(null);
  async function rename() {
    const name = prompt("List name", list.name)?.trim();
    if (!name || name === list.name) return;
    try {
      const { data } = await api.patch<BoardList>(`/lists/${list.id}`, { name });
      props.onChanged(props.lists.map((l) => (l.id === data.id ? { ...l, name: data.name } : l)));
    } catch (failure) {
      showToast(`List not renamed: ${describeError(failure)}`, "error");
    }
  }
  async function remove() {
    const cards = list.cards.length;
    const question =
      cards > 0 ? `Delete “${list.name}” and its ${cards} cards?` : `Delete “${list.name}”?`;
    if (!confirm(question)) return;
    try {
      await api.delete(`/lists/${list.id}${cards > 0 ? "?cascade=true" : ""}`);
      props.onChanged(removeList(props.lists, list.id));
    } catch (failure) {
      const detail =
        failure instanceof ApiError && failure.status === 409
          ? "it still holds cards."
          : describeError(failure);
      showToast(`List not deleted: ${detail}`, "error");
    }
  }
  return (
    <div class="list-tools">
      <button
        type="button"
        class="icon"
        aria-label={`Move list ${list.name} left`}
        disabled={index === 0}
        ref={left}
        onClick={() => {
          props.onMoveList(list.id, index - 1);
          // The button about to be disabled would drop focus to the page: hand it to its twin.
          if (index === 1) right.current?.focus();
        }}
      >
        <ArrowIcon direction="left" />
      </button>
      <button
        type="button"
        class="icon"
        aria-label={`Move list ${list.name} right`}
        disabled={index === props.lists.length - 1}
        ref={right}
        onClick={() => {
          props.onMoveList(list.id, index + 1);
          if (index === props.lists.length - 2) left.current?.focus();
        }}
      >
        <ArrowIcon direction="right" />
      </button>
      <button
        type="button"
        class="icon"
        aria-label={`Rename list ${list.name}`}
        onClick={() => void rename()}
      >
        <PencilIcon />
      </button>
      <button
        type="button"
        class="icon"
        aria-label={`Delete list ${list.name}`}
        onClick={() => void remove()}
      >
        <TrashIcon />
      </button>
    </div>
  );
}

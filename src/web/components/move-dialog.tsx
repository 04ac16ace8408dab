import { useState } from "preact/hooks";
import type { BoardColumn, Task } from "../api/types";
import { Dialog } from "./dialog";
import { Field } from "./form";

/** The click-and-keyboard alternative to dragging: pick a list and a position. */
export function MoveDialog(props: {
  card: Task;
  lists: BoardColumn[];
  onClose: () => void;
  onMove: (listId: number, position: number) => void;
}) {
  const [listId, setListId] = useState(props.card.list_id ?? props.lists[0]?.id ?? 0);
  const target = props.lists.find((list) => list.id === listId);
  const others = target?.cards.filter((card) => card.id !== props.card.id) ?? [];
  const [position, setPosition] = useState(
    listId === props.card.list_id ? props.card.position : others.length,
  );
  return (
    <Dialog title={`Move “${props.card.title}”`} onClose={props.onClose}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          props.onMove(listId, Math.min(position, others.length));
        }}
      >
        <Field label="List">
          {(id) => (
            <select
              id={id}
              value={listId}
              onChange={(e) => {
                const id = Number(e.currentTarget.value);
                setListId(id);
                const count =
                  props.lists.find((l) => l.id === id)?.cards.filter((c) => c.id !== props.card.id)
                    .length ?? 0;
                setPosition(id === props.card.list_id ? props.card.position : count);
              }}
            >
              {props.lists.map((list) => (
                <option key={list.id} value={list.id}>
                  {list.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Position">
          {(id) => (
            <select
              id={id}
              value={position}
              onChange={(e) => setPosition(Number(e.currentTarget.value))}
            >
              {Array.from({ length: others.length + 1 }, (_, index) => (
                <option key={index} value={index}>
                  {index === 0
                    ? "1 (top)"
                    : index === others.length
                      ? `${index + 1} (bottom)`
                      : String(index + 1)}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div class="row">
          <button type="submit" class="primary">
            Move
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

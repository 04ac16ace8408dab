import { useState } from "preact/hooks";
import { api, describeError } from "../api/client";
import type { Board, BoardDetail } from "../api/types";
import { navigate } from "../lib/router";
import { showToast } from "../state/toasts";
import { Dialog } from "./dialog";
import { Field, FormError, TextField } from "./form";

/** The owner's board settings: name, description, and deleting the board. */
export function BoardSettingsDialog(props: {
  board: BoardDetail;
  onClose: () => void;
  onSaved: (board: Board) => void;
}) {
  const [name, setName] = useState(props.board.name);
  const [description, setDescription] = useState(props.board.description);
  const [error, setError] = useState<string | null>(null);

  async function save(event: Event) {
    event.preventDefault();
    setError(null);
    try {
      const { data } = await api.patch<Board>(`/boards/${props.board.id}`, {
        name: name.trim(),
        description,
      });
      props.onSaved(data);
      props.onClose();
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  async function remove() {
    const cards = props.board.lists.reduce((sum, list) => sum + list.cards.length, 0);
    if (!confirm(`Delete “${props.board.name}” with its ${cards} cards, for every member?`)) return;
    try {
      await api.delete(`/boards/${props.board.id}`);
      showToast(`Deleted “${props.board.name}”.`);
      navigate("/boards");
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <Dialog title="Board settings" onClose={props.onClose}>
      <form onSubmit={(event) => void save(event)}>
        <TextField label="Board name" value={name} onValue={setName} required />
        <Field label="Description">
          {(id) => (
            <textarea
              id={id}
              rows={3}
              value={description}
              onInput={(e) => setDescription(e.currentTarget.value)}
            />
          )}
        </Field>
        <FormError message={error} />
        <div class="row">
          <button type="submit" class="primary">
            Save
          </button>
          <button type="button" class="danger" onClick={() => void remove()}>
            Delete board
          </button>
        </div>
      </form>
    </Dialog>
  );
}

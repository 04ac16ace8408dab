import { useEffect, useState } from "preact/hooks";
import { api, describeError } from "../api/client";
import type { Board } from "../api/types";
import { Field, FormError } from "../components/form";
import { navigate } from "../lib/router";
import { onLive } from "../state/live";

export function BoardsPage() {
  const [boards, setBoards] = useState<Board[] | null>(null);
  const [name, setName] = useState("");
  const [error, setError] = useState<string | null>(null);

  async function load() {
    try {
      setBoards((await api.get<Board[]>("/boards?limit=200")).data);
    } catch (failure) {
      setError(describeError(failure));
    }
  }
  useEffect(() => {
    void load();
    return onLive((event) => {
      if (event === "resync" || event.type.startsWith("board.") || event.type.startsWith("member."))
        void load();
    });
  }, []);

  async function create(event: Event) {
    event.preventDefault();
    setError(null);
    try {
      const { data } = await api.post<Board>("/boards", { name: name.trim() });
      navigate(`/boards/${data.id}`);
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <section class="page">
      <h1>Boards</h1>
      <form class="inline-form" onSubmit={(event) => void create(event)}>
        <Field label="Board name">
          {(id) => (
            <input
              id={id}
              data-shortcut="new"
              value={name}
              required
              onInput={(e) => setName(e.currentTarget.value)}
            />
          )}
        </Field>
        <button type="submit" class="primary">
          New board
        </button>
      </form>
      <FormError message={error} />
      {boards?.length === 0 && (
        <p class="empty">
          No boards yet. Name your first one above, then add lists such as “To do” and “Done”.
        </p>
      )}
      <ul class="board-grid">
        {boards?.map((board) => (
          <li key={board.id}>
            <a class="board-tile" href={`/boards/${board.id}`}>
              <strong>{board.name}</strong>
              <small>{board.role}</small>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}

import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { ApiError, api, describeError } from "../api/client";
import type { BoardColumn, BoardDetail, BoardList, Task } from "../api/types";
import { ActivityDialog } from "../components/activity-dialog";
import { BoardColumns } from "../components/board-columns";
import { BoardSettingsDialog } from "../components/board-settings-dialog";
import { Field, FormError } from "../components/form";
import { MembersDialog } from "../components/members-dialog";
import { MoveDialog } from "../components/move-dialog";
import { TaskPanel } from "../components/task-panel";
import {
  applyBoardEvent,
  describeListPlace,
  findCard,
  moveCard,
  moveList,
  placeCard,
} from "../lib/board-model";
import { asSentence } from "../lib/format";
import { linkedId } from "../lib/links";
import { clearLink, currentSearch, navigate } from "../lib/router";
import { onLive } from "../state/live";
import { showToast } from "../state/toasts";

type Open =
  | { kind: "card"; id: number }
  | { kind: "move"; id: number }
  | { kind: "members" }
  | { kind: "activity" }
  | { kind: "settings" }
  | null;

export function BoardPage(props: { id: number }) {
  const [board, setBoard] = useState<BoardDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [listName, setListName] = useState("");
  const [announcement, setAnnouncement] = useState("");
  const boardRef = useRef<BoardDetail | null>(null);
  boardRef.current = board;
  // Focus goes back to the card after a move or a dialog, wherever it now is: as soon as the
  // change has rendered, so that the next key press already reaches it.
  const pendingFocus = useRef<number | null>(null);
  const focusCard = (cardId: number) => {
    pendingFocus.current = cardId;
    // And a last try once the browser is idle; a card that is gone by then is not waited for.
    setTimeout(() => {
      focusPending(pendingFocus);
      pendingFocus.current = null;
    }, 0);
  };
  useLayoutEffect(() => focusPending(pendingFocus));
  // `?card=12` (a notification, an email's link) opens that card once the board is here.
  const linkedCard = linkedId(currentSearch.value, "card");
  const loaded = board !== null;
  useEffect(() => {
    if (loaded && linkedCard !== null) setOpen({ kind: "card", id: linkedCard });
  }, [loaded, linkedCard]);

  async function load() {
    try {
      setBoard((await api.get<BoardDetail>(`/boards/${props.id}`)).data);
      setError(null);
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 404) {
        setError("This board does not exist or you are no longer a member.");
        setBoard(null);
      } else setError(describeError(failure));
    }
  }
  useEffect(() => {
    void load();
  }, [props.id]);
  useEffect(
    () =>
      onLive((event) => {
        const current = boardRef.current;
        if (event === "resync") return void load();
        if (!current) return;
        const next = applyBoardEvent(current, event);
        if (next === "refetch") void load();
        else if (next === "gone") {
          showToast("This board was deleted.", "error");
          navigate("/boards");
        } else if (next !== current) setBoard(next);
      }),
    [props.id],
  );

  if (error && !board) {
    return (
      <section class="page">
        <FormError message={error} />
        <p>
          <a href="/boards">Back to your boards</a>
        </p>
      </section>
    );
  }
  if (!board) return <p class="loading">Loading board…</p>;
  const canEdit = board.role !== "viewer";
  const update = (lists: BoardColumn[]) => setBoard((b) => (b ? { ...b, lists } : b));

  async function moveCardTo(
    cardId: number,
    listId: number,
    position: number,
    rollback?: BoardColumn[],
  ) {
    const current = boardRef.current;
    const card = current && findCard(current.lists, cardId);
    if (!current || !card) return;
    const before = rollback ?? current.lists;
    const after = moveCard(before, cardId, listId, position);
    update(after);
    const target = after.find((list) => list.id === listId);
    const index = target?.cards.findIndex((c) => c.id === cardId) ?? 0;
    setAnnouncement(
      `${card.title} moved to ${target?.name}, position ${index + 1} of ${target?.cards.length}.`,
    );
    focusCard(cardId);
    try {
      const { data } = await api.patch<Task>(`/tasks/${cardId}`, {
        list_id: listId,
        position: index,
      });
      setBoard((b) => (b ? { ...b, lists: placeCard(b.lists, data) } : b));
    } catch (failure) {
      update(before);
      showToast(
        `Could not move “${card.title}”: ${asSentence(describeError(failure))} It is back where it was.`,
        "error",
      );
      focusCard(cardId);
      refreshIfRefused(failure);
    }
  }

  // A refusal means the page's idea of the board (the caller's role, a list) is out of date.
  function refreshIfRefused(failure: unknown) {
    if (failure instanceof ApiError && (failure.status === 403 || failure.status === 404)) {
      void load();
    }
  }

  async function moveListTo(listId: number, position: number) {
    const current = boardRef.current;
    const list = current?.lists.find((l) => l.id === listId);
    if (!current || !list) return;
    const before = current.lists;
    const after = moveList(before, listId, position);
    update(after);
    setAnnouncement(`Moved. ${describeListPlace(after, listId)}.`);
    try {
      await api.patch<BoardList>(`/lists/${listId}`, { position });
    } catch (failure) {
      update(before);
      const message = `Could not move the list “${list.name}”: ${asSentence(describeError(failure))} It is back where it was.`;
      setAnnouncement(message);
      showToast(message, "error");
      refreshIfRefused(failure);
    }
  }

  async function addList(event: Event) {
    event.preventDefault();
    const name = listName.trim();
    if (!name) return;
    try {
      const { data } = await api.post<BoardList>(`/boards/${board?.id}/lists`, { name });
      setBoard((b) =>
        b && !b.lists.some((l) => l.id === data.id)
          ? { ...b, lists: [...b.lists, { ...data, cards: [] }] }
          : b,
      );
      setListName("");
    } catch (failure) {
      showToast(`List not added: ${describeError(failure)}`, "error");
    }
  }

  const moving = open?.kind === "move" ? findCard(board.lists, open.id) : undefined;
  return (
    <section class="board-page" aria-labelledby="board-title">
      <header class="board-head">
        <h1 id="board-title">{board.name}</h1>
        <span class="role-chip">{board.role}</span>
        <div class="row">
          <button type="button" onClick={() => setOpen({ kind: "members" })}>
            Members ({board.members.length})
          </button>
          <button type="button" onClick={() => setOpen({ kind: "activity" })}>
            Activity
          </button>
          {board.role === "owner" && (
            <button type="button" onClick={() => setOpen({ kind: "settings" })}>
              Board settings
            </button>
          )}
        </div>
      </header>
      {board.description && <p class="board-description">{board.description}</p>}
      {!canEdit && (
        <p class="note">You are a viewer on this board: you can read it but not change it.</p>
      )}
      {board.lists.length === 0 && (
        <p class="empty">
          {canEdit
            ? "This board has no lists yet. Add one below, for example “To do”, “Doing” and “Done”."
            : "This board has no lists yet."}
        </p>
      )}
      <div class="board-scroller">
        <BoardColumns
          lists={board.lists}
          members={board.members}
          canEdit={canEdit}
          onOpenCard={(id) => setOpen({ kind: "card", id })}
          onMoveDialog={(id) => setOpen({ kind: "move", id })}
          onMoveCard={(id, listId, position, rollback) =>
            void moveCardTo(id, listId, position, rollback)
          }
          announce={setAnnouncement}
          onMoveList={(id, position) => void moveListTo(id, position)}
          onChanged={(lists) => update(lists)}
          boardId={board.id}
        />
        {canEdit && (
          <form class="add-list" onSubmit={(event) => void addList(event)}>
            <Field label="List name">
              {(id) => (
                <input
                  id={id}
                  value={listName}
                  onInput={(e) => setListName(e.currentTarget.value)}
                />
              )}
            </Field>
            <button type="submit">Add list</button>
          </form>
        )}
      </div>
      <p class="visually-hidden" aria-live="assertive">
        {announcement}
      </p>
      {open?.kind === "card" && (
        <TaskPanel
          taskId={open.id}
          members={board.members}
          readOnly={!canEdit}
          onClose={() => {
            setOpen(null);
            clearLink();
            focusCard(open.id);
          }}
          onChange={(task) => setBoard((b) => (b ? { ...b, lists: placeCard(b.lists, task) } : b))}
        />
      )}
      {moving && (
        <MoveDialog
          card={moving}
          lists={board.lists}
          onClose={() => {
            setOpen(null);
            focusCard(moving.id);
          }}
          onMove={(listId, position) => {
            setOpen(null);
            void moveCardTo(moving.id, listId, position);
          }}
        />
      )}
      {open?.kind === "members" && (
        <MembersDialog board={board} onClose={() => setOpen(null)} onChanged={() => void load()} />
      )}
      {open?.kind === "settings" && (
        <BoardSettingsDialog
          board={board}
          onClose={() => setOpen(null)}
          onSaved={(saved) =>
            setBoard((b) => (b ? { ...b, name: saved.name, description: saved.description } : b))
          }
        />
      )}
      {open?.kind === "activity" && (
        <ActivityDialog boardId={board.id} onClose={() => setOpen(null)} />
      )}
    </section>
  );
}

function focusPending(pending: { current: number | null }): void {
  if (pending.current === null) return;
  const card = document.querySelector<HTMLElement>(`[data-card-id="${pending.current}"]`);
  if (!card) return;
  card.focus();
  pending.current = null;
}

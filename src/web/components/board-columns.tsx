import { useLayoutEffect, useRef, useState } from "preact/hooks";
import type { BoardColumn, Member, Task } from "../api/types";
import { type Direction, describePlace, moveCard, stepTarget } from "../lib/board-model";
import { formatDue, isOverdue, PRIORITIES } from "../lib/format";
import { AddCard, ListMenu } from "./column-tools";
import { GripIcon, MoveIcon } from "./icons";
import { dropIndex, useTouchDrag } from "./use-touch-drag";

type Dragging = { kind: "card" | "list"; id: number } | null;
/** What is being dragged: dragover events cannot read the drag data, so it is kept here. */
let dragging: Dragging = null;

interface Props {
  boardId: number;
  lists: BoardColumn[];
  /** The board's members, to name a card's assignee. */
  members: Member[];
  canEdit: boolean;
  onOpenCard: (id: number) => void;
  onMoveDialog: (id: number) => void;
  /** Saves a move; `rollback` is the board to return to if it fails (default: as it is now). */
  onMoveCard: (id: number, listId: number, position: number, rollback?: BoardColumn[]) => void;
  announce: (text: string) => void;
  onMoveList: (id: number, position: number) => void;
  onChanged: (lists: BoardColumn[]) => void;
}

export function BoardColumns(props: Props) {
  const [cardDrop, setCardDrop] = useState<{ listId: number; index: number } | null>(null);
  const [listDrop, setListDrop] = useState<number | null>(null);
  const [lifted, setLifted] = useState<{ id: number; listId: number; position: number } | null>(
    null,
  );
  const columnsRef = useRef<HTMLDivElement>(null);
  const touch = useTouchDrag(columnsRef, {
    ...props,
    showCardDrop: setCardDrop,
    showListDrop: setListDrop,
  });
  // The handle to focus once the move has rendered: carried to another list, the card's
  // element is new, and a key pressed before focus came back would be lost.
  const refocus = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (refocus.current === null) return;
    document.querySelector<HTMLElement>(`[data-move-id="${refocus.current}"]`)?.focus();
    refocus.current = null;
  });

  function onColumnsDragOver(event: DragEvent) {
    if (dragging?.kind !== "list") return;
    event.preventDefault();
    const columns = [...(event.currentTarget as HTMLElement).querySelectorAll(":scope > .column")];
    setListDrop(dropIndex(columns, event.clientX, "x", dragging.id));
  }

  function onColumnsDrop(event: DragEvent) {
    if (dragging?.kind !== "list" || listDrop === null) return;
    event.preventDefault();
    props.onMoveList(dragging.id, listDrop);
    dragging = null;
    setListDrop(null);
  }

  function onCardsDragOver(event: DragEvent, listId: number) {
    if (dragging?.kind !== "card") return;
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = "move";
    const items = [
      ...(event.currentTarget as HTMLElement).querySelectorAll(":scope > li.card-item"),
    ];
    setCardDrop({ listId, index: dropIndex(items, event.clientY, "y", dragging.id) });
  }

  function onCardsDrop(event: DragEvent, listId: number) {
    if (dragging?.kind !== "card") return;
    event.preventDefault();
    event.stopPropagation();
    const index = cardDrop?.listId === listId ? cardDrop.index : 0;
    props.onMoveCard(dragging.id, listId, index);
    dragging = null;
    setCardDrop(null);
  }

  function startDrag(event: DragEvent, what: NonNullable<Dragging>) {
    // A finger pressing a card is the touch drag's, whatever the browser would start natively.
    if (touch.busy()) return event.preventDefault();
    dragging = what;
    event.stopPropagation();
    event.dataTransfer?.setData("text/plain", `${what.kind}:${what.id}`);
    if (event.dataTransfer) event.dataTransfer.effectAllowed = "move";
    // A list is dragged by its grip; the picture under the pointer is the whole column.
    const column = (event.currentTarget as HTMLElement).closest(".column");
    if (what.kind === "list" && column && event.dataTransfer) {
      event.dataTransfer.setDragImage(column, 16, 16);
    }
  }

  function endDrag() {
    dragging = null;
    setCardDrop(null);
    setListDrop(null);
  }

  const ARROWS: Record<string, Direction> = {
    ArrowUp: "up",
    ArrowDown: "down",
    ArrowLeft: "left",
    ArrowRight: "right",
  };

  function onCardKey(event: KeyboardEvent, card: Task) {
    if (!props.canEdit || event.ctrlKey || event.metaKey) return;
    if (event.key === "m" && !event.altKey) {
      event.preventDefault();
      props.onMoveDialog(card.id);
      return;
    }
    const direction = ARROWS[event.key];
    if (!event.altKey || !direction) return;
    event.preventDefault();
    const target = stepTarget(props.lists, card.id, direction);
    if (target) props.onMoveCard(card.id, target.listId, target.position);
  }

  /**
   * The drag handle by keyboard: Space or Enter lifts the card, arrows carry it (shown at once,
   * saved on drop), Space or Enter drops it, Escape puts it back. Each step is announced.
   */
  function onHandleKey(event: KeyboardEvent, card: Task) {
    const drop = event.key === " " || event.key === "Enter";
    if (!lifted || lifted.id !== card.id) {
      if (!drop) return;
      event.preventDefault();
      setLifted({ id: card.id, listId: card.list_id ?? 0, position: card.position });
      props.announce(
        `Lifted ${describePlace(props.lists, card.id)}. Arrow keys move it, Space drops it, Escape cancels.`,
      );
      return;
    }
    const direction = ARROWS[event.key];
    if (direction) {
      event.preventDefault();
      const target = stepTarget(props.lists, card.id, direction);
      if (!target) return;
      const moved = moveCard(props.lists, card.id, target.listId, target.position);
      props.onChanged(moved);
      props.announce(describePlace(moved, card.id));
      refocus.current = card.id;
    } else if (drop || event.key === "Escape") {
      event.preventDefault();
      const origin = moveCard(props.lists, card.id, lifted.listId, lifted.position);
      setLifted(null);
      if (event.key === "Escape") {
        props.onChanged(origin);
        props.announce(`Move cancelled. ${describePlace(origin, card.id)}.`);
        refocus.current = card.id;
      } else {
        const current = props.lists.flatMap((list) => list.cards).find((c) => c.id === card.id);
        if (current?.list_id != null) {
          props.onMoveCard(card.id, current.list_id, current.position, origin);
        }
      }
    }
  }

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: a drop zone for pointer drags; keyboard users move lists with the list tools
    <div class="columns" ref={columnsRef} onDragOver={onColumnsDragOver} onDrop={onColumnsDrop}>
      {props.lists.map((list, listIndex) => (
        <section
          key={list.id}
          class={`column${listDrop === listIndex ? " drop-before" : ""}${touch.lifted?.kind === "list" && touch.lifted.id === list.id ? " touch-lifted" : ""}`}
          data-id={list.id}
          aria-labelledby={`list-${list.id}`}
        >
          <header class="column-head">
            {props.canEdit && (
              // biome-ignore lint/a11y/noStaticElementInteractions: a pointer-only drag grip; the list's arrow buttons are its keyboard path
              <span
                class="list-grip"
                draggable
                data-list-grip={list.id}
                title={`Drag to move the list ${list.name}`}
                onDragStart={(event) => startDrag(event, { kind: "list", id: list.id })}
                onPointerDown={(event) => touch.start(event, { kind: "list", id: list.id })}
                onDragEnd={endDrag}
              >
                <GripIcon />
              </span>
            )}
            <h2 id={`list-${list.id}`}>{list.name}</h2>
            <span class="count">
              {list.cards.length}
              <span class="visually-hidden">{list.cards.length === 1 ? " card" : " cards"}</span>
            </span>
            {props.canEdit && <ListMenu list={list} index={listIndex} {...props} />}
          </header>
          <ol
            class={`cards${cardDrop?.listId === list.id ? " drop-target" : ""}`}
            onDragOver={(event) => onCardsDragOver(event, list.id)}
            onDrop={(event) => onCardsDrop(event, list.id)}
            onDragLeave={(event) => {
              if (!(event.currentTarget as Node).contains(event.relatedTarget as Node))
                setCardDrop(null);
            }}
          >
            {list.cards.map((card, index) => (
              <li
                key={card.id}
                class={`card-item${cardDrop?.listId === list.id && cardDrop.index === index ? " drop-before" : ""}${lifted?.id === card.id ? " lifted" : ""}${touch.lifted?.kind === "card" && touch.lifted.id === card.id ? " touch-lifted" : ""}`}
                data-id={card.id}
                draggable={props.canEdit}
                onDragStart={(event) => startDrag(event, { kind: "card", id: card.id })}
                onPointerDown={(event) =>
                  props.canEdit && touch.start(event, { kind: "card", id: card.id })
                }
                onDragEnd={endDrag}
              >
                <button
                  type="button"
                  class={`card${card.completed ? " done" : ""}`}
                  data-card-id={card.id}
                  aria-describedby={`card-meta-${card.id}`}
                  onClick={() => props.onOpenCard(card.id)}
                  onKeyDown={(event) => onCardKey(event, card)}
                >
                  {card.title}
                </button>
                <CardMeta card={card} members={props.members} />
                {props.canEdit && (
                  <button
                    type="button"
                    class="icon card-move"
                    aria-label="Move to…"
                    aria-describedby="move-help"
                    aria-pressed={lifted?.id === card.id}
                    data-move-id={card.id}
                    title="Move to…: click to pick a list, or Space to lift and arrows to carry"
                    onKeyDown={(event) => onHandleKey(event, card)}
                    // A click from the keyboard (detail 0) is the lift above, not the dialog.
                    onClick={(event) => event.detail !== 0 && props.onMoveDialog(card.id)}
                  >
                    <MoveIcon />
                  </button>
                )}
              </li>
            ))}
            {cardDrop?.listId === list.id &&
              cardDrop.index >=
                list.cards.filter((c) => c.id !== (dragging ?? touch.lifted)?.id).length && (
                <li class="drop-end" aria-hidden="true" />
              )}
            {list.cards.length === 0 && (
              <li class="empty-list">
                {props.canEdit ? "No cards yet. Add one below or drop one here." : "No cards."}
              </li>
            )}
          </ol>
          {props.canEdit && <AddCard list={list} lists={props.lists} onChanged={props.onChanged} />}
        </section>
      ))}
      <p id="move-help" hidden>
        Space lifts the card; arrow keys carry it; Space drops it; Escape cancels.
      </p>
      {listDrop !== null && listDrop >= props.lists.length - 1 && (
        <div class="drop-end-list" aria-hidden="true" />
      )}
    </div>
  );
}

/** The badges that make a board scannable: due date, priority, assignee, tags. */
function CardMeta(props: { card: Task; members: Member[] }) {
  const { card } = props;
  const assignee =
    card.assignee_id === null
      ? undefined
      : props.members.find((member) => member.user_id === card.assignee_id);
  return (
    <div class="card-meta" id={`card-meta-${card.id}`}>
      {card.due_date && (
        <span class={isOverdue(card.due_date) && !card.completed ? "due overdue" : "due"}>
          Due {formatDue(card.due_date)}
          {isOverdue(card.due_date) && !card.completed && (
            <span class="visually-hidden"> (overdue)</span>
          )}
        </span>
      )}
      {card.priority > 0 && (
        <span class={`priority p${card.priority}`}>
          <span class="visually-hidden">Priority: </span>
          {PRIORITIES[card.priority]}
        </span>
      )}
      {assignee && (
        <span class="assignee" title={assignee.full_name ?? assignee.username}>
          <span class="visually-hidden">Assigned to </span>@{assignee.username}
        </span>
      )}
      {card.tags.map((tag) => (
        <span key={tag} class="tag">
          {tag}
        </span>
      ))}
    </div>
  );
}

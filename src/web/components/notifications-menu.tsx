import { useEffect, useRef, useState } from "preact/hooks";
import { api, describeError } from "../api/client";
import type { Notification } from "../api/types";
import { formatWhen } from "../lib/format";
import { navigate } from "../lib/router";
import { onLive, refreshUnreadCount, unreadCount } from "../state/live";
import { BellIcon } from "./icons";

export function NotificationsMenu() {
  const [open, setOpen] = useState(false);
  const [items, setItems] = useState<Notification[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const root = useRef<HTMLDivElement>(null);

  async function load() {
    try {
      const { data, headers } = await api.get<Notification[]>("/notifications?limit=20");
      setItems(data);
      unreadCount.value = Number(headers.get("x-unread-count") ?? unreadCount.value);
      setError(null);
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  useEffect(() => {
    if (open) void load();
  }, [open]);
  useEffect(
    () =>
      onLive((event) => {
        if (open && (event === "resync" || event.type === "notification.created")) void load();
      }),
    [open],
  );
  useEffect(() => {
    if (!open) return;
    const close = (event: Event) => {
      if (event instanceof KeyboardEvent && event.key !== "Escape") return;
      if (event instanceof MouseEvent && root.current?.contains(event.target as Node)) return;
      setOpen(false);
    };
    document.addEventListener("keydown", close);
    document.addEventListener("click", close);
    return () => {
      document.removeEventListener("keydown", close);
      document.removeEventListener("click", close);
    };
  }, [open]);

  async function openOne(item: Notification) {
    if (!item.read_at) {
      await api.post(`/notifications/${item.id}/read`).catch(() => undefined);
      void refreshUnreadCount();
    }
    setOpen(false);
    // Straight to the card or task the notification is about, when it names one.
    if (item.board_id !== null) {
      navigate(`/boards/${item.board_id}${item.task_id === null ? "" : `?card=${item.task_id}`}`);
    } else if (item.task_id !== null) {
      navigate(`/tasks?task=${item.task_id}`);
    }
  }

  async function readAll() {
    await api.post("/notifications/read-all").catch(() => undefined);
    unreadCount.value = 0;
    void load();
  }

  const count = unreadCount.value;
  return (
    <div class="menu" ref={root}>
      <button
        type="button"
        class="quiet notify-button"
        aria-label="Notifications"
        aria-describedby={count > 0 ? "unread-description" : undefined}
        aria-expanded={open}
        aria-haspopup="true"
        onClick={() => setOpen(!open)}
      >
        <BellIcon />
      </button>
      {/* Beside the button, not in it: its accessible name stays exactly "Notifications". */}
      {count > 0 && (
        <span class="badge" data-testid="unread-count" aria-hidden="true">
          {count > 99 ? "99+" : count}
        </span>
      )}
      <span id="unread-description" class="visually-hidden">
        {count} unread
      </span>
      {open && (
        <section class="menu-panel" aria-label="Notifications list">
          <header class="menu-head">
            <h2>Notifications</h2>
            <button type="button" class="link" onClick={() => void readAll()}>
              Mark all read
            </button>
          </header>
          {error && <p class="error">{error}</p>}
          {items?.length === 0 && (
            <p class="empty">
              Nothing new. You will hear here when someone mentions or assigns you.
            </p>
          )}
          <ul>
            {items?.map((item) => (
              <li key={item.id} class={item.read_at ? "" : "unread"}>
                <button type="button" class="menu-item" onClick={() => void openOne(item)}>
                  <strong>{item.title}</strong>
                  {item.body && <span>{item.body}</span>}
                  <small>{formatWhen(item.created_at)}</small>
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

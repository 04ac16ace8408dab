import type { ComponentChildren } from "preact";
import { currentPath } from "../lib/router";
import { liveStatus } from "../state/live";
import { currentUser, signOut } from "../state/session";
import { dismissToast, toasts } from "../state/toasts";
import { NotificationsMenu } from "./notifications-menu";
import { Shortcuts } from "./shortcuts";

export function Shell(props: { children: ComponentChildren }) {
  const user = currentUser.value;
  const path = currentPath.value;
  const isAdmin = user?.role === "admin" || user?.role === "superadmin";
  const link = (href: string, label: string, active: boolean) => (
    <a href={href} aria-current={active ? "page" : undefined}>
      {label}
    </a>
  );
  return (
    <div class="shell">
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="topbar">
        <a class="brand" href="/tasks">
          Kanbun
        </a>
        <nav aria-label="Main">
          {link("/tasks", "My tasks", path === "/tasks" || path === "/")}
          {link("/boards", "Boards", path.startsWith("/boards"))}
          {link("/account", "Account", path === "/account")}
          {isAdmin && link("/admin", "Admin", path === "/admin")}
        </nav>
        <div class="topbar-end">
          <NotificationsMenu />
          <button type="button" class="quiet" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      {liveStatus.value === "reconnecting" && (
        <p class="banner" role="status">
          Reconnecting… changes by others will appear when the connection is back.
        </p>
      )}
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
      <Shortcuts />
      <div class="toasts" role="status" aria-live="polite">
        {toasts.value.map((toast) => (
          <div key={toast.id} class={`toast ${toast.tone}`}>
            <span>{toast.message}</span>
            <button
              type="button"
              class="icon"
              aria-label="Dismiss message"
              onClick={() => dismissToast(toast.id)}
            >
              ×
            </button>
          </div>
        ))}
      </div>
    </div>
  );
}

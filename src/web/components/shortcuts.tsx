import { useEffect, useState } from "preact/hooks";
import { navigate } from "../lib/router";
import { Dialog } from "./dialog";

const SHORTCUTS: [string, string][] = [
  ["?", "Show these shortcuts"],
  ["n", "New task or card: focus its title field"],
  ["/", "Search or filter"],
  ["t", "Go to My tasks"],
  ["b", "Go to Boards"],
  ["Alt + arrow keys", "On a card: move it up, down, or to the next list"],
  ["m", "On a card: Move to… (pick list and position)"],
  ["Space", "On a card's move handle: lift it, then arrows carry it, Space drops, Escape cancels"],
];

/** Typing in a field, or working in a dialog, is never taken for a shortcut. */
export function isTyping(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element || typeof element.closest !== "function") return false;
  return (
    element.isContentEditable ||
    element.closest("input, textarea, select, dialog, [contenteditable]") !== null
  );
}

function focusShortcut(name: string): void {
  document.querySelector<HTMLElement>(`[data-shortcut="${name}"]`)?.focus();
}

export function Shortcuts() {
  const [open, setOpen] = useState(false);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
      const actions: Record<string, () => void> = {
        "?": () => setOpen(true),
        n: () => focusShortcut("new"),
        "/": () => focusShortcut("search"),
        t: () => navigate("/tasks"),
        b: () => navigate("/boards"),
      };
      const action = actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  if (!open) return null;
  return (
    <Dialog title="Keyboard shortcuts" onClose={() => setOpen(false)}>
      <dl class="shortcuts">
        {SHORTCUTS.map(([keys, what]) => (
          <div key={keys}>
            <dt>
              <kbd>{keys}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
    </Dialog>
  );
}

import { useEffect, useState } from "preact/hooks";

const PREFIX = "kanbun.draft.";

/**
 * A text field's unsaved value that survives moving to another screen and back (kept in this
 * tab's sessionStorage, never the tokens). Cleared by setting it to "", and all of them when
 * the session ends (see forgetDrafts).
 */
export function useDraft(key: string): [string, (value: string) => void] {
  const [value, setValue] = useState(() => readDraft(key));
  useEffect(() => setValue(readDraft(key)), [key]);
  const update = (next: string) => {
    setValue(next);
    try {
      if (next) sessionStorage.setItem(PREFIX + key, next);
      else sessionStorage.removeItem(PREFIX + key);
    } catch {
      // Storage full or refused: the draft lives as long as the screen, as before.
    }
  };
  return [value, update];
}

function readDraft(key: string): string {
  try {
    return sessionStorage.getItem(PREFIX + key) ?? "";
  } catch {
    return "";
  }
}

/**
 * Drops every draft: called when the session ends, so that the next person to sign in on this
 * tab (a shared computer) never finds the previous one's unsent text.
 */
export function forgetDrafts(): void {
  try {
    for (const key of Object.keys(sessionStorage)) {
      if (key.startsWith(PREFIX)) sessionStorage.removeItem(key);
    }
  } catch {
    // Storage refused: there is nothing kept to forget.
  }
}

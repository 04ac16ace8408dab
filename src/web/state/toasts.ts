import { signal } from "@preact/signals";

export interface Toast {
  id: number;
  message: string;
  tone: "info" | "error";
}

export const toasts = signal<Toast[]>([]);
let nextId = 1;

/** A short message in the polite live region; errors stay until dismissed or replaced. */
export function showToast(message: string, tone: Toast["tone"] = "info"): void {
  const toast = { id: nextId++, message, tone };
  toasts.value = [...toasts.value.slice(-2), toast];
  if (tone === "info") setTimeout(() => dismissToast(toast.id), 5000);
}

export function dismissToast(id: number): void {
  toasts.value = toasts.value.filter((toast) => toast.id !== id);
}

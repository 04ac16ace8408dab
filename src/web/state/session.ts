import { signal } from "@preact/signals";
import { api } from "../api/client";
import type { User } from "../api/types";
import { forgetDrafts } from "../lib/drafts";
import { navigate } from "../lib/router";
import { startLive, stopLive } from "./live";

export const currentUser = signal<User | null>(null);
/** False until the first check for a session (a refresh cookie) has answered. */
export const sessionChecked = signal(false);

api.onSessionEnded(() => {
  stopLive();
  forgetDrafts();
  currentUser.value = null;
  navigate("/signin", true);
});

async function loadUser(): Promise<void> {
  currentUser.value = (await api.get<User>("/users/me")).data;
  startLive();
}

/** On page load: a refresh cookie from an earlier visit signs the user straight back in. */
export async function restoreSession(): Promise<void> {
  try {
    if (await api.refresh()) await loadUser();
  } catch {
    currentUser.value = null;
  } finally {
    sessionChecked.value = true;
  }
}

export async function signIn(identity: string, password: string): Promise<void> {
  await api.signIn(identity, password);
  await loadUser();
}

export async function signOut(): Promise<void> {
  stopLive();
  try {
    await api.signOut();
  } finally {
    forgetDrafts();
    currentUser.value = null;
    navigate("/signin");
  }
}

export async function reloadUser(): Promise<void> {
  currentUser.value = (await api.get<User>("/users/me")).data;
}

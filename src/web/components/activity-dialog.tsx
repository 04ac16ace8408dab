import { useEffect, useState } from "preact/hooks";
import { api, describeError } from "../api/client";
import type { Activity } from "../api/types";
import { formatWhen } from "../lib/format";
import { Dialog } from "./dialog";
import { FormError } from "./form";

/** "card.moved" → "moved a card"; the data's name or title says which. */
export function describeActivity(entry: Activity): string {
  const [subject, verb] = entry.action.split(".");
  const name = entry.data.title ?? entry.data.name ?? entry.data.username;
  const what = typeof name === "string" ? `“${name}”` : `a ${subject ?? "thing"}`;
  return `${verb ?? entry.action} ${subject ?? ""} ${what}`.replace(/\s+/g, " ").trim();
}

export function ActivityDialog(props: { boardId: number; onClose: () => void }) {
  const [entries, setEntries] = useState<Activity[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .get<Activity[]>(`/boards/${props.boardId}/activity?limit=50`)
      .then((response) => setEntries(response.data))
      .catch((failure) => setError(describeError(failure)));
  }, [props.boardId]);
  return (
    <Dialog title="Activity" onClose={props.onClose}>
      <FormError message={error} />
      {entries?.length === 0 && <p class="empty">Nothing has happened on this board yet.</p>}
      <ol class="activity">
        {entries?.map((entry) => (
          <li key={entry.id}>
            <strong>{entry.actor?.username ?? "Someone"}</strong> {describeActivity(entry)}
            <small> {formatWhen(entry.created_at)}</small>
          </li>
        ))}
      </ol>
    </Dialog>
  );
}

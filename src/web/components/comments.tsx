import { useEffect, useRef, useState } from "preact/hooks";
import { api, describeError } from "../api/client";
import type { Comment } from "../api/types";
import { useDraft } from "../lib/drafts";
import { formatWhen } from "../lib/format";
import { insertMention, mentionAt, splitMentions, suggestMentions } from "../lib/mentions";
import { onLive } from "../state/live";
import { currentUser } from "../state/session";
import { Field, FormError } from "./form";

function CommentText(props: { text: string }) {
  return (
    <p class="comment-body">
      {splitMentions(props.text).map((segment, index) =>
        "mention" in segment ? (
          <span key={index} class="mention">
            @{segment.mention}
          </span>
        ) : (
          segment.text
        ),
      )}
    </p>
  );
}

/** A card's comments; typing `@` suggests the board's members. */
export function Comments(props: { taskId: number; names: string[]; readOnly: boolean }) {
  const [comments, setComments] = useState<Comment[] | null>(null);
  const [text, setText] = useDraft(`comment.${props.taskId}`);
  const [caret, setCaret] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLTextAreaElement>(null);

  async function load() {
    try {
      setComments((await api.get<Comment[]>(`/tasks/${props.taskId}/comments`)).data);
    } catch (failure) {
      setError(describeError(failure));
    }
  }
  useEffect(() => {
    void load();
  }, [props.taskId]);
  useEffect(
    () =>
      onLive((event) => {
        if (event === "resync") return void load();
        if (event.type.startsWith("comment.") && event.data.task_id === props.taskId) void load();
      }),
    [props.taskId],
  );

  async function send(event: Event) {
    event.preventDefault();
    const body = text.trim();
    if (!body) return;
    setError(null);
    try {
      const { data } = await api.post<Comment>(`/tasks/${props.taskId}/comments`, { body });
      setComments((list) => [...(list ?? []).filter((c) => c.id !== data.id), data]);
      setText("");
    } catch (failure) {
      setError(`Comment not posted: ${describeError(failure)}`);
    }
  }

  async function remove(comment: Comment) {
    try {
      await api.delete(`/comments/${comment.id}`);
      setComments((list) => (list ?? []).filter((c) => c.id !== comment.id));
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  const mention = mentionAt(text, caret);
  const suggestions = mention ? suggestMentions(props.names, mention.query) : [];
  const me = currentUser.value;
  return (
    <section class="comments" aria-label="Comments">
      <h3>Comments</h3>
      {comments?.length === 0 && <p class="empty">No comments yet.</p>}
      <ul>
        {comments?.map((comment) => (
          <li key={comment.id}>
            <div class="comment-meta">
              <strong>{comment.author.username}</strong>{" "}
              <small>{formatWhen(comment.created_at)}</small>
              {me?.id === comment.author.id && (
                <button type="button" class="link" onClick={() => void remove(comment)}>
                  Delete<span class="visually-hidden"> comment</span>
                </button>
              )}
            </div>
            <CommentText text={comment.body} />
          </li>
        ))}
      </ul>
      {!props.readOnly && (
        <form onSubmit={(event) => void send(event)}>
          <Field label="Comment">
            {(id) => (
              <textarea
                id={id}
                ref={input}
                rows={2}
                value={text}
                placeholder="Write a comment; @name mentions a member"
                onInput={(e) => {
                  setText(e.currentTarget.value);
                  setCaret(e.currentTarget.selectionStart ?? 0);
                }}
                onKeyUp={(e) => setCaret(e.currentTarget.selectionStart ?? 0)}
              />
            )}
          </Field>
          {suggestions.length > 0 && mention && (
            <ul class="suggestions" aria-label="Mention suggestions">
              {suggestions.map((name) => (
                <li key={name}>
                  <button
                    type="button"
                    onClick={() => {
                      const next = insertMention(text, mention.start, caret, name);
                      setText(next.text);
                      setCaret(next.caret);
                      input.current?.focus();
                    }}
                  >
                    @{name}
                  </button>
                </li>
              ))}
            </ul>
          )}
          <FormError message={error} />
          <button type="submit">Comment</button>
        </form>
      )}
    </section>
  );
}

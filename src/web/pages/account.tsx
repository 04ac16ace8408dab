import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api } from "../api/client";
import type { Session } from "../api/types";
import { EmailSettings } from "../components/email-settings";
import { FormError, TextField, useSubmit } from "../components/form";
import { describeUserAgent, formatWhen } from "../lib/format";
import { currentUser, reloadUser, signOut } from "../state/session";
import { showToast } from "../state/toasts";

function Card(props: { title: string; children: ComponentChildren }) {
  return (
    <section class="card-section" aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}

export function AccountPage() {
  const user = currentUser.value;
  const [fullName, setFullName] = useState(user?.full_name ?? "");
  const [username, setUsername] = useState(user?.username ?? "");
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [deletePassword, setDeletePassword] = useState("");
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const profile = useSubmit();
  const password = useSubmit();
  const sessionsAction = useSubmit();
  const danger = useSubmit();

  const loadSessions = () =>
    api.get<Session[]>("/auth/sessions").then(
      (r) => setSessions(r.data),
      () => setSessions([]),
    );
  useEffect(() => {
    void loadSessions();
  }, []);
  if (!user) return null;

  return (
    <section class="page narrow">
      <h1>Account</h1>
      <Card title="Profile">
        <form
          onSubmit={profile.run(async () => {
            await api.patch("/users/me", {
              full_name: fullName.trim() || null,
              username: username.trim(),
            });
            await reloadUser();
            showToast("Profile saved.");
          })}
        >
          <TextField label="Username" value={username} onValue={setUsername} required />
          <TextField label="Full name" value={fullName} onValue={setFullName} />
          <FormError message={profile.error} />
          <button type="submit" class="primary">
            Save profile
          </button>
        </form>
      </Card>
      <Card title="Email address">
        <EmailSettings user={user} />
      </Card>
      <Card title="Email notifications">
        <label class="check">
          <input
            type="checkbox"
            checked={user.email_notifications}
            onChange={profile.run(async () => {
              await api.patch("/users/me", { email_notifications: !user.email_notifications });
              await reloadUser();
            })}
          />
          Also email me my notifications (mentions, assignments, added to a board)
        </label>
      </Card>
      <Card title="Password">
        <form
          onSubmit={password.run(async () => {
            await api.post("/users/me/password", { current_password: current, new_password: next });
            setCurrent("");
            setNext("");
            showToast("Password changed. Your other sessions were signed out.");
            void loadSessions();
          })}
        >
          <TextField
            label="Current password"
            type="password"
            value={current}
            onValue={setCurrent}
            autocomplete="current-password"
            required
          />
          <TextField
            label="New password"
            type="password"
            value={next}
            onValue={setNext}
            autocomplete="new-password"
            required
          />
          <FormError message={password.error} />
          <button type="submit">Change password</button>
        </form>
      </Card>
      <Card title="Sessions">
        <ul class="sessions">
          {sessions?.map((session) => (
            <li key={session.id}>
              <span>
                <strong title={session.user_agent ?? undefined}>
                  {describeUserAgent(session.user_agent)}
                </strong>{" "}
                {session.current && <span class="role-chip">this device</span>}
                <br />
                <small>
                  {session.ip ? `${session.ip} · ` : ""}last used {formatWhen(session.last_used_at)}
                </small>
              </span>
              {!session.current && (
                <button
                  type="button"
                  onClick={sessionsAction.run(async () => {
                    await api.delete(`/auth/sessions/${session.id}`);
                    await loadSessions();
                  })}
                >
                  Revoke
                </button>
              )}
            </li>
          ))}
        </ul>
        <FormError message={sessionsAction.error} />
        <button
          type="button"
          onClick={sessionsAction.run(async () => {
            await api.post("/auth/logout-all");
            await signOut();
          })}
        >
          Sign out everywhere
        </button>
      </Card>
      <Card title="Your data">
        <button
          type="button"
          onClick={danger.run(async () => {
            const { data } = await api.get<unknown>("/users/me/export");
            const blob = new Blob([JSON.stringify(data, null, 2)], { type: "application/json" });
            const link = document.createElement("a");
            link.href = URL.createObjectURL(blob);
            link.download = `kanbun-export-${user.username}.json`;
            link.click();
            URL.revokeObjectURL(link.href);
          })}
        >
          Export my data
        </button>
        <p class="hint danger-zone">
          Deleting your account removes it and everything it owns, for good. Boards you own are
          deleted too: hand them over first to keep them.
        </p>
        <form
          onSubmit={danger.run(async () => {
            if (!confirm("Delete your account and everything it owns? This cannot be undone."))
              return;
            await api.request("DELETE", "/users/me", { body: { password: deletePassword } });
            await signOut().catch(() => undefined);
          })}
        >
          <TextField
            label="Password to confirm"
            type="password"
            value={deletePassword}
            onValue={setDeletePassword}
            autocomplete="current-password"
            required
          />
          <button type="submit" class="danger">
            Delete account
          </button>
        </form>
        <FormError message={danger.error} />
      </Card>
    </section>
  );
}

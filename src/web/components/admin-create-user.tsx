import { useState } from "preact/hooks";
import { api, describeError } from "../api/client";
import type { AdminUser, User } from "../api/types";
import { showToast } from "../state/toasts";
import { Field, FormError, TextField } from "./form";

const ROLES: User["role"][] = ["user", "admin", "superadmin"];

/**
 * Creates an account (the way in when public sign-up is closed). Only a superadmin may pick
 * a role above "user", so an admin is not offered one.
 */
export function AdminCreateUser(props: { canGrant: boolean; onCreated: () => void }) {
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<User["role"]>("user");
  const [error, setError] = useState<string | null>(null);

  async function create(event: Event) {
    event.preventDefault();
    setError(null);
    try {
      const { data } = await api.post<AdminUser>("/admin/users", {
        username: username.trim(),
        email: email.trim(),
        password,
        ...(props.canGrant ? { role } : {}),
      });
      showToast(`Created ${data.username}.`);
      setUsername("");
      setEmail("");
      setPassword("");
      setRole("user");
      props.onCreated();
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <form class="create-user" onSubmit={(event) => void create(event)}>
      <h3>Create a user</h3>
      <TextField label="New user's username" value={username} onValue={setUsername} required />
      <TextField label="New user's email" type="email" value={email} onValue={setEmail} required />
      <TextField
        label="Initial password"
        type="password"
        value={password}
        onValue={setPassword}
        autocomplete="new-password"
        hint="At least 8 characters; tell it to the user, who can change it under Account."
        required
      />
      {props.canGrant && (
        <Field label="New user's role">
          {(id) => (
            <select
              id={id}
              value={role}
              onChange={(e) => setRole(e.currentTarget.value as User["role"])}
            >
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <FormError message={error} />
      <button type="submit" class="primary">
        Create user
      </button>
    </form>
  );
}

/** The role cell: a superadmin changes it in place; the server's refusal is shown by the page. */
export function RoleSelect(props: { user: AdminUser; onChange: (role: User["role"]) => void }) {
  return (
    <select
      aria-label={`Role of ${props.user.username}`}
      value={props.user.role}
      onChange={(e) => {
        const next = e.currentTarget.value as User["role"];
        // Shown as it is saved; the list reloads either way, so a refusal puts it back.
        e.currentTarget.value = props.user.role;
        props.onChange(next);
      }}
    >
      {ROLES.map((r) => (
        <option key={r} value={r}>
          {r}
        </option>
      ))}
    </select>
  );
}

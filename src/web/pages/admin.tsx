import { useEffect, useState } from "preact/hooks";
import { api, describeError } from "../api/client";
import type { AdminUser, Ban, Job } from "../api/types";
import { AdminCreateUser, RoleSelect } from "../components/admin-create-user";
import { Field, FormError } from "../components/form";
import { formatWhen } from "../lib/format";
import { currentUser } from "../state/session";
import { showToast } from "../state/toasts";

export function AdminPage() {
  const me = currentUser.value;
  const [q, setQ] = useState("");
  const [users, setUsers] = useState<AdminUser[] | null>(null);
  const [bans, setBans] = useState<Ban[] | null>(null);
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const guard = async (action: () => Promise<void>) => {
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(describeError(failure));
    }
  };
  const loadUsers = () =>
    guard(async () => {
      const query = q.trim() ? `?q=${encodeURIComponent(q.trim())}&limit=100` : "?limit=100";
      setUsers((await api.get<AdminUser[]>(`/admin/users${query}`)).data);
    });
  const loadBans = () =>
    guard(async () => setBans((await api.get<Ban[]>("/admin/bans?limit=100")).data));
  const loadJobs = () =>
    guard(async () => setJobs((await api.get<Job[]>("/admin/jobs?limit=50")).data));
  useEffect(() => {
    void loadUsers();
    void loadBans();
    void loadJobs();
  }, []);

  if (me?.role !== "admin" && me?.role !== "superadmin") {
    return (
      <section class="page">
        <h1>Admin</h1>
        <p>This page is for administrators.</p>
      </section>
    );
  }
  return (
    <section class="page">
      <h1>Admin</h1>
      <FormError message={error} />
      <section class="card-section" aria-label="Users">
        <h2>Users</h2>
        <form
          class="inline-form"
          onSubmit={(e) => {
            e.preventDefault();
            void loadUsers();
          }}
        >
          <Field label="Find users" class="grow">
            {(id) => (
              <input id={id} type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} />
            )}
          </Field>
          <button type="submit">Search</button>
        </form>
        <AdminCreateUser canGrant={me.role === "superadmin"} onCreated={() => void loadUsers()} />
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">
                  <span class="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users?.map((user) => (
                <tr key={user.id}>
                  <td>{user.username}</td>
                  <td>{user.email}</td>
                  <td>
                    {me.role === "superadmin" ? (
                      <RoleSelect
                        user={user}
                        onChange={(role) =>
                          void guard(async () => {
                            try {
                              await api.patch(`/admin/users/${user.id}`, { role });
                              showToast(`${user.username} is now ${role}.`);
                            } finally {
                              await loadUsers();
                            }
                          })
                        }
                      />
                    ) : (
                      user.role
                    )}
                  </td>
                  <td>{user.is_active ? "active" : "deactivated"}</td>
                  <td>
                    {user.id !== me.id && (
                      <button
                        type="button"
                        onClick={() =>
                          void guard(async () => {
                            await api.patch(`/admin/users/${user.id}`, {
                              is_active: !user.is_active,
                            });
                            await loadUsers();
                          })
                        }
                      >
                        {user.is_active ? "Deactivate" : "Reactivate"}
                        <span class="visually-hidden"> {user.username}</span>
                      </button>
                    )}
                    {user.id !== me.id && (
                      <button
                        type="button"
                        class="danger"
                        onClick={() =>
                          void guard(async () => {
                            const question = `Delete ${user.username} and everything the account owns? This cannot be undone.`;
                            if (!confirm(question)) return;
                            await api.delete(`/admin/users/${user.id}`);
                            showToast(`Deleted ${user.username}.`);
                            await loadUsers();
                          })
                        }
                      >
                        Delete<span class="visually-hidden"> {user.username}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
      <section class="card-section" aria-label="Bans">
        <h2>Bans</h2>
        {bans?.length === 0 && <p class="empty">No address is banned.</p>}
        <ul class="members">
          {bans?.map((ban) => (
            <li key={ban.id}>
              <span>
                <strong>{ban.ip}</strong>{" "}
                <small>
                  {ban.reason} · until {formatWhen(ban.expires_at)}
                </small>
              </span>
              <button
                type="button"
                onClick={() =>
                  void guard(async () => {
                    await api.delete(`/admin/bans/${ban.id}`);
                    await loadBans();
                  })
                }
              >
                Lift ban<span class="visually-hidden"> on {ban.ip}</span>
              </button>
            </li>
          ))}
        </ul>
      </section>
      <section class="card-section" aria-label="Jobs">
        <h2>Background jobs</h2>
        {jobs?.length === 0 && (
          <p class="empty">No jobs yet. Emails appear here as they are sent.</p>
        )}
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last error</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {jobs?.map((job) => (
                <tr key={job.id}>
                  <td>{job.type}</td>
                  <td>{job.status}</td>
                  <td>
                    {job.attempts}/{job.max_attempts}
                  </td>
                  <td>{job.last_error ?? ""}</td>
                  <td>{formatWhen(job.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </section>
  );
}

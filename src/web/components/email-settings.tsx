import { useState } from "preact/hooks";
import { api } from "../api/client";
import type { User } from "../api/types";
import { currentUser, reloadUser } from "../state/session";
import { showToast } from "../state/toasts";
import { CodeField, FormError, TextField, useSubmit } from "./form";

/**
 * The account's email address: changing it needs the current password (reset codes go there),
 * and a new address stays unverified until the code sent to it is entered here.
 */
export function EmailSettings(props: { user: User }) {
  const { user } = props;
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const changeForm = useSubmit();
  const verifyForm = useSubmit();

  const change = changeForm.run(async () => {
    await api.patch<User>("/users/me", { email: email.trim(), current_password: password });
    await reloadUser();
    setEmail("");
    setPassword("");
    showToast(
      `Email changed to ${currentUser.value?.email}. Enter the code sent there to verify it.`,
    );
  });
  const verify = verifyForm.run(async () => {
    await api.post("/auth/verify-email", { email: user.email, otp: code.trim() });
    await reloadUser();
    setCode("");
    showToast("Email address verified.");
  });
  const resend = verifyForm.run(async () => {
    await api.post("/auth/resend-verification", { email: user.email });
    showToast(`A new code is on its way to ${user.email}.`);
  });

  return (
    <>
      <p class="hint" data-testid="email-status">
        {user.email}
        {user.email_verified ? " (verified)" : " (not verified yet: enter the code sent to it)"}
      </p>
      {!user.email_verified && (
        <form class="inline-form" onSubmit={(event) => void verify(event)}>
          <CodeField label="Verification code" value={code} onValue={setCode} />
          <button type="submit">Verify email</button>
          <button type="button" class="quiet" onClick={() => void resend()}>
            Send a new code
          </button>
        </form>
      )}
      <FormError message={verifyForm.error} />
      <form onSubmit={(event) => void change(event)}>
        <TextField
          label="New email"
          type="email"
          value={email}
          onValue={setEmail}
          autocomplete="email"
          required
        />
        <TextField
          label="Password to change it"
          type="password"
          value={password}
          onValue={setPassword}
          autocomplete="current-password"
          hint="Needed because password reset codes go to this address."
          required
        />
        <FormError message={changeForm.error} />
        <button type="submit">Change email</button>
      </form>
    </>
  );
}

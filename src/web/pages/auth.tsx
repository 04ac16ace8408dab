import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { ApiError, api, describeError } from "../api/client";
import { CodeField, FormError, TextField, useSubmit } from "../components/form";
import { asSentence } from "../lib/format";
import { navigate } from "../lib/router";
import { signIn } from "../state/session";

function AuthFrame(props: { title: string; children: ComponentChildren }) {
  return (
    <main class="auth" id="main">
      <p class="brand">Kanbun</p>
      <section class="auth-card">
        <h1>{props.title}</h1>
        {props.children}
      </section>
    </main>
  );
}

const needsVerification = (error: unknown) =>
  error instanceof ApiError && error.status === 403 && /verify your email/i.test(error.detail);

export function SignInPage() {
  const [identity, setIdentity] = useState("");
  const [password, setPassword] = useState("");
  const form = useSubmit();
  return (
    <AuthFrame title="Sign in">
      <form onSubmit={form.run(() => signIn(identity, password))}>
        <TextField
          label="Email or username"
          value={identity}
          onValue={setIdentity}
          autocomplete="username"
          required
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onValue={setPassword}
          autocomplete="current-password"
          required
        />
        <FormError message={form.error} />
        <button type="submit" class="primary" disabled={form.busy}>
          Sign in
        </button>
      </form>
      <p class="aside">
        <a href="/forgot-password">Forgot your password?</a>
      </p>
      <p class="aside">
        New here? <a href="/signup">Create an account</a>
      </p>
    </AuthFrame>
  );
}

export function SignUpPage() {
  const [username, setUsername] = useState("");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [verifying, setVerifying] = useState(false);
  const form = useSubmit();

  async function signUpAndIn() {
    await api.post("/auth/signup", { username, email, password });
    try {
      await signIn(username, password);
    } catch (failure) {
      if (needsVerification(failure)) return setVerifying(true);
      // The account exists now: sending this form again would only say the name is taken.
      throw new Error(
        `Your account is created, but signing in failed: ${asSentence(describeError(failure))} Sign in to continue.`,
      );
    }
  }

  async function verifyAndIn() {
    await api.post("/auth/verify-email", { email, otp: code.trim() });
    await signIn(username, password);
  }

  if (verifying) {
    return (
      <AuthFrame title="Check your email">
        <p>
          We sent a 6-digit code to <strong>{email}</strong>. Enter it to finish signing up.
        </p>
        <form onSubmit={form.run(verifyAndIn)}>
          <CodeField label="Verification code" value={code} onValue={setCode} />
          <FormError message={form.error} />
          <button type="submit" class="primary" disabled={form.busy}>
            Verify email
          </button>
        </form>
        <p class="aside">
          <button
            type="button"
            class="link"
            onClick={() => void api.post("/auth/resend-verification", { email })}
          >
            Send a new code
          </button>
        </p>
      </AuthFrame>
    );
  }
  return (
    <AuthFrame title="Sign up">
      <form onSubmit={form.run(signUpAndIn)}>
        <TextField
          label="Username"
          value={username}
          onValue={setUsername}
          autocomplete="username"
          hint="3–32 letters, digits, _ . -"
          required
        />
        <TextField
          label="Email"
          type="email"
          value={email}
          onValue={setEmail}
          autocomplete="email"
          required
        />
        <TextField
          label="Password"
          type="password"
          value={password}
          onValue={setPassword}
          autocomplete="new-password"
          hint="At least 8 characters"
          minLength={8}
          required
        />
        <FormError message={form.error} />
        <button type="submit" class="primary" disabled={form.busy}>
          Sign up
        </button>
      </form>
      <p class="aside">
        Already have an account? <a href="/signin">Sign in</a>
      </p>
    </AuthFrame>
  );
}

export function ForgotPasswordPage() {
  const [step, setStep] = useState<"email" | "code" | "password">("email");
  const [email, setEmail] = useState("");
  const [code, setCode] = useState("");
  const [resetToken, setResetToken] = useState("");
  const [password, setPassword] = useState("");
  const form = useSubmit();

  const steps = {
    email: async () => {
      await api.post("/auth/forgot-password", { email });
      setStep("code");
    },
    code: async () => {
      const { data } = await api.post<{ reset_token: string }>("/auth/verify-otp", {
        email,
        otp: code.trim(),
      });
      setResetToken(data.reset_token);
      setStep("password");
    },
    password: async () => {
      await api.post("/auth/reset-password", { reset_token: resetToken, new_password: password });
      navigate("/signin");
    },
  };

  return (
    <AuthFrame title="Forgot password">
      <form onSubmit={form.run(steps[step])}>
        {step === "email" && (
          <>
            <p>Enter your email address and we will send you a 6-digit code.</p>
            <TextField label="Email" type="email" value={email} onValue={setEmail} required />
          </>
        )}
        {step === "code" && (
          <>
            <p>If an account uses {email}, a code is on its way. It is valid for 10 minutes.</p>
            <CodeField label="Code from the email" value={code} onValue={setCode} />
          </>
        )}
        {step === "password" && (
          <TextField
            label="New password"
            type="password"
            value={password}
            onValue={setPassword}
            autocomplete="new-password"
            required
          />
        )}
        <FormError message={form.error} />
        <button type="submit" class="primary" disabled={form.busy}>
          {step === "email" ? "Send code" : step === "code" ? "Check code" : "Set new password"}
        </button>
      </form>
      <p class="aside">
        <a href="/signin">Back to sign in</a>
      </p>
    </AuthFrame>
  );
}

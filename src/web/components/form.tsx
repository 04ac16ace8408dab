import type { ComponentChildren, JSX } from "preact";
import { useId, useState } from "preact/hooks";
import { describeError } from "../api/client";

/**
 * A label tied to its control by id. The label's text alone is the control's accessible name
 * (a label wrapped around a select would also lend it the options' text).
 */
export function Field(props: {
  label: string;
  class?: string;
  hint?: string;
  children: (id: string) => ComponentChildren;
}) {
  const id = useId();
  return (
    <div class={props.class ? `field ${props.class}` : "field"}>
      <label class="field-label" for={id}>
        {props.label}
      </label>
      {props.children(id)}
      {props.hint && <small class="hint">{props.hint}</small>}
    </div>
  );
}

type InputProps = Omit<JSX.IntrinsicElements["input"], "value" | "onInput" | "label" | "id"> & {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
};

/** A labelled text input. */
export function TextField({ label, value, onValue, hint, ...input }: InputProps) {
  return (
    <Field label={label} hint={hint}>
      {(id) => (
        <input
          {...(input as JSX.IntrinsicElements["input"])}
          id={id}
          value={value}
          onInput={(event) => onValue((event.target as HTMLInputElement).value)}
        />
      )}
    </Field>
  );
}

/** The 6-digit code an email carries (verification, password reset), typed or filled in. */
export function CodeField(props: {
  label: string;
  value: string;
  onValue: (value: string) => void;
}) {
  return (
    <TextField
      label={props.label}
      value={props.value}
      onValue={props.onValue}
      inputMode="numeric"
      autocomplete="one-time-code"
      pattern="[0-9]{6}"
      maxLength={6}
      required
    />
  );
}

export function FormError(props: { message: string | null }) {
  return props.message ? (
    <p class="error" role="alert">
      {props.message}
    </p>
  ) : null;
}

/** Runs a form's or button's action, showing its failure in place (with FormError). */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = (action: () => Promise<void>) => async (event?: Event) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}

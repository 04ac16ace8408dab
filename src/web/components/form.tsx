import type { JSX } from "preact";

type InputProps = Omit<JSX.IntrinsicElements["input"], "value" | "onInput" | "label"> & {
  label: string;
  value: string;
  onValue: (value: string) => void;
  hint?: string;
};

/** A labelled input: the label text is the field's accessible name. */
export function Field({ label, value, onValue, hint, ...input }: InputProps) {
  return (
    <label class="field">
      <span class="field-label">{label}</span>
      <input
        {...(input as JSX.IntrinsicElements["input"])}
        value={value}
        onInput={(event) => onValue((event.target as HTMLInputElement).value)}
      />
      {hint && <small class="hint">{hint}</small>}
    </label>
  );
}

export function FormError(props: { message: string | null }) {
  return props.message ? (
    <p class="error" role="alert">
      {props.message}
    </p>
  ) : null;
}

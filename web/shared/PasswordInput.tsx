import { useId } from "react";

/** A new password's field, with the rule it must meet said beside it. */
export function NewPasswordInput({
  label,
  name,
  invalid = false,
}: {
  label: string;
  name: string;
  invalid?: boolean;
}) {
  const inputId = useId();
  const hintId = useId();
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      <input
        id={inputId}
        name={name}
        type="password"
        autoComplete="new-password"
        required
        aria-invalid={invalid || undefined}
        aria-describedby={hintId}
      />
      <span id={hintId} className="hint">
        At least 12 characters; not a common password, not your email address.
      </span>
    </div>
  );
}

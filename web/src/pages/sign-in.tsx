import type { FormEvent } from "react";
import { useId, useState } from "react";
import { describeError } from "../api/http.ts";
import { useSessionApi } from "../session/session.tsx";

/** Sign-in with an API key; the key's role decides what the console shows and allows. */
export function SignInPage({ notice }: { notice: string | null }) {
  const { signIn } = useSessionApi();
  const [key, setKey] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const inputId = useId();
  const helpId = useId();
  const errorId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!key.trim()) {
      setError("Enter an API key.");
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await signIn(key);
    } catch (failure) {
      setError(describeError(failure));
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <h1>Sign in to Overture</h1>
      {notice && (
        <p className="notice notice-warn" role="status">
          {notice}
        </p>
      )}
      <form onSubmit={submit} noValidate>
        <label htmlFor={inputId}>API key</label>
        <input
          id={inputId}
          name="api-key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(event) => setKey(event.target.value)}
          aria-describedby={error ? `${helpId} ${errorId}` : helpId}
          aria-invalid={error ? true : undefined}
          // biome-ignore lint/a11y/noAutofocus: the only field of the sign-in page
          autoFocus
        />
        <p id={helpId} className="help">
          An admin, CX lead, reviewer or viewer key of your workspace. <code>npm start</code> prints the demo
          workspace's keys once and saves them in <code>demo-keys.json</code> beside the data directory. The
          key is kept only in this browser tab.
        </p>
        {error && (
          <p id={errorId} className="field-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
      </form>
    </main>
  );
}

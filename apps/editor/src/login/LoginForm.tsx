import { useState, type FormEvent } from 'react';
import { useEditor } from '../store/editor.js';

/** Shown when `GET /api/auth` says a token is needed; the token then lives in sessionStorage. */
export function LoginForm() {
  const error = useEditor((s) => s.loginError);
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    void useEditor
      .getState()
      .login(password)
      .finally(() => setBusy(false));
  };
  return (
    <div className="pw-login">
      <form onSubmit={onSubmit} data-testid="login-form">
        <strong>Plantwire</strong>
        <label htmlFor="pw-password">Admin password</label>
        <input id="pw-password" type="password" autoFocus autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} data-testid="login-password" />
        {error !== undefined && (
          <div className="pw-error-text" data-testid="login-error">
            {error}
          </div>
        )}
        <button className="primary" type="submit" disabled={busy || password === ''} data-testid="login-submit">
          {busy ? 'Logging in…' : 'Log in'}
        </button>
      </form>
    </div>
  );
}

// @vitest-environment happy-dom
import { act, createElement, useState } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionEntry } from '@plantwire/flow';
import type { ConnectionTestResponse, CredentialsStatusResponse } from '@plantwire/protocol';
import { ConnectionForm } from './ConnectionForm.js';
import { connectionManifest } from './node-types.fixture.js';

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

let root: Root | undefined;
afterEach(() => {
  act(() => root?.unmount());
  document.body.innerHTML = '';
});

const byTestId = (id: string) => document.querySelector(`[data-testid="${id}"]`) as HTMLElement | null;
function type(id: string, text: string) {
  const el = byTestId(id) as HTMLInputElement;
  act(() => {
    Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!.call(el, text);
    el.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

describe('ConnectionForm', () => {
  it('edits the config, sends typed credentials write-only, and tests the connection with them', async () => {
    const entries: ConnectionEntry[] = [];
    const saved: Array<Record<string, unknown>> = [];
    const tested: Array<Record<string, unknown> | undefined> = [];
    let status: CredentialsStatusResponse = { connectionId: 'ua1', fields: { password: 'not set' } };
    let answer!: (r: ConnectionTestResponse) => void;
    function Shell() {
      const [entry, setEntry] = useState<ConnectionEntry>({ id: 'ua1', type: 'opcua-endpoint', config: { endpointUrl: 'opc.tcp://127.0.0.1:48400/UA/Plant' } });
      const [credentials, setCredentials] = useState(status);
      return createElement(ConnectionForm, {
        manifest: connectionManifest('opcua-endpoint'),
        entry,
        onChange: (next) => {
          entries.push(next);
          setEntry(next);
        },
        issues: [],
        credentials,
        onSetCredentials: async (values) => {
          saved.push(values);
          status = { connectionId: 'ua1', fields: { password: 'set' } };
          setCredentials(status);
        },
        onTest: (creds) => {
          tested.push(creds);
          return new Promise<ConnectionTestResponse>((resolve) => (answer = resolve));
        },
      });
    }
    document.body.append(document.createElement('div'));
    root = createRoot(document.body.firstElementChild!);
    act(() => root!.render(createElement(Shell)));

    expect(byTestId('connection-form')).not.toBeNull();
    type('field-endpointUrl', 'http://wrong');
    expect(entries.at(-1)!.config).toEqual({ endpointUrl: 'http://wrong' });
    expect(byTestId('field-error-endpointUrl')!.textContent).toContain('Endpoint URL does not have the expected form');

    expect(byTestId('credential-status-password')!.textContent).toBe('not set');
    type('credential-password', 'typed-value');
    // Testing with the typed (not yet saved) password; the result shows when the server answers.
    act(() => byTestId('connection-test')!.click());
    expect(byTestId('connection-test-result')!.textContent).toBe('Testing…');
    await act(async () => answer({ ok: false, message: 'BadIdentityTokenRejected', durationMs: 41 }));
    expect(byTestId('connection-test-result')!.textContent).toBe('✗ BadIdentityTokenRejected (41 ms)');
    expect(tested).toEqual([{ password: 'typed-value' }]);

    await act(async () => byTestId('credentials-save')!.click());
    expect(saved).toEqual([{ password: 'typed-value' }]);
    expect(byTestId('credential-status-password')!.textContent).toBe('set');
    expect((byTestId('credential-password') as HTMLInputElement).value).toBe('');
    // The secret never went into the entry (and so never into the document).
    expect(JSON.stringify(entries)).not.toContain('typed-value');

    act(() => byTestId('connection-test')!.click());
    await act(async () => answer({ ok: true, message: 'connected in 12 ms', durationMs: 12 }));
    expect(byTestId('connection-test-result')!.textContent).toBe('✓ connected in 12 ms');
    expect(tested[1]).toBeUndefined();
  });
});

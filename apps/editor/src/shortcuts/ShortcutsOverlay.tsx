import { useEditor } from '../store/editor.js';
import { SHORTCUTS } from './shortcut-table.js';

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);

/** The help overlay: every shortcut from the one table the key handler uses. */
export function ShortcutsOverlay() {
  const close = () => useEditor.getState().toggle('helpOpen');
  return (
    <div className="pw-overlay" onMouseDown={(e) => e.target === e.currentTarget && close()}>
      <div className="pw-dialog" data-testid="shortcuts-overlay" role="dialog" aria-label="Keyboard shortcuts">
        <h2>Keyboard shortcuts</h2>
        <table>
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={`${s.keys}:${s.command}`}>
                <td style={{ width: 170 }}>
                  {(s.keys === '+' ? ['+'] : s.keys.split('+')).map((k, i) => (
                    <span key={i}>
                      {i > 0 && ' '}
                      <kbd>{k === 'Mod' ? (isMac ? '⌘' : 'Ctrl') : k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{s.description}</td>
              </tr>
            ))}
            <tr>
              <td>
                <kbd>Shift</kbd> + drag
              </td>
              <td>Box-select nodes</td>
            </tr>
            <tr>
              <td>
                <kbd>Ctrl</kbd> + click
              </td>
              <td>Add to the selection</td>
            </tr>
            <tr>
              <td>drag / wheel</td>
              <td>Pan / zoom the canvas</td>
            </tr>
            <tr>
              <td>right-click a node</td>
              <td>Last message, trends, inject, duplicate, delete</td>
            </tr>
          </tbody>
        </table>
        <div className="buttons">
          <button onClick={close}>Close</button>
        </div>
      </div>
    </div>
  );
}

/** A yes/no question inside the page (a browser `confirm()` would block, and e2e runs dismiss it). */
export function ConfirmDialog(props: { readonly testId: string; readonly title: string; readonly text: string; readonly confirm: string; onConfirm(): void; onCancel(): void }) {
  return (
    <div className="pw-overlay" onMouseDown={(e) => e.target === e.currentTarget && props.onCancel()}>
      <div className="pw-dialog" data-testid={props.testId} role="alertdialog" aria-label={props.title} style={{ width: 'min(460px, 92vw)' }}>
        <h2>{props.title}</h2>
        <p>{props.text}</p>
        <div className="buttons">
          <button onClick={props.onCancel} data-testid={`${props.testId}-cancel`} autoFocus>
            Cancel
          </button>
          <button className="primary" onClick={props.onConfirm} data-testid={`${props.testId}-confirm`}>
            {props.confirm}
          </button>
        </div>
      </div>
    </div>
  );
}

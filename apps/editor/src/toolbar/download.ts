/** Save text as a file through a temporary link (no server round trip). */
export function downloadText(fileName: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Revoked after the click has been handled; the download keeps its own reference.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** A file name from the flow's name: `Boiler line` → `boiler-line.flow.json`. */
export function flowFileName(name: string | undefined, suffix = ''): string {
  const stem = (name ?? 'flow').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'flow';
  return `${stem}${suffix}.flow.json`;
}

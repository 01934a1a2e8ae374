import { readFile } from 'node:fs/promises';
import { expect } from '@playwright/test';
import type { EditorApp } from '../pages/EditorApp.js';

/** Export → "Download working copy": saves the browser's download at `path`, returns its text. */
export async function exportWorkingCopy(app: EditorApp, path: string): Promise<string> {
  await app.toolbar.export.click();
  const download = app.page.waitForEvent('download');
  await app.toolbar.exportWorkingCopy.click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.flow\.json$/);
  await file.saveAs(path);
  return readFile(path, 'utf8');
}

/** Import → choose a file → Preview (the server checks it) → Add to flow. Returns the preview's text. */
export async function importFile(app: EditorApp, path: string): Promise<string> {
  await app.toolbar.import.click();
  await expect(app.importDialog.root).toBeVisible();
  await app.importDialog.file.setInputFiles(path);
  await expect(app.importDialog.text).not.toHaveValue('');
  const checked = app.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/flows/import');
  await app.importDialog.previewButton.click();
  expect((await checked).status(), 'POST /api/flows/import').toBe(200);
  await expect(app.importDialog.preview).toBeVisible();
  const preview = (await app.importDialog.preview.textContent()) ?? '';
  await app.importDialog.confirm.click();
  await expect(app.importDialog.root).toBeHidden();
  return preview;
}

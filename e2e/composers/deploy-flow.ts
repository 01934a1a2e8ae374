import { expect } from '@playwright/test';
import type { EditorApp } from '../pages/EditorApp.js';

/** Press Deploy and return the HTTP status of the `PUT /api/flows` it sent. */
export async function pressDeploy(app: EditorApp): Promise<number> {
  const response = app.page.waitForResponse((r) => new URL(r.url()).pathname === '/api/flows' && r.request().method() === 'PUT');
  await app.toolbar.deploy.click();
  return (await response).status();
}

/** Deploy and expect the server to accept it: the success banner and nothing pending. */
export async function deployFlow(app: EditorApp): Promise<void> {
  const status = await pressDeploy(app);
  expect(status, 'PUT /api/flows status').toBe(200);
  await expect(app.toolbar.deploySuccess).toBeVisible();
  await expect(app.toolbar.pendingCount).toHaveText('0');
}

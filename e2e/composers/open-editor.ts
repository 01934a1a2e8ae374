import { expect } from '@playwright/test';
import type { EditorApp } from '../pages/EditorApp.js';

/** Open the editor at the server's root and wait until it shows the canvas and is live. */
export async function openEditor(app: EditorApp): Promise<void> {
  await app.page.goto('/');
  await waitUntilReady(app);
}

/** The editor has loaded the flow and node types, and its socket to the server is up. */
export async function waitUntilReady(app: EditorApp): Promise<void> {
  await expect(app.canvas.root).toBeVisible();
  await expect(app.palette.root).toBeVisible();
  await expect(app.toolbar.liveState).toHaveText(/live/);
}

/** Reload the page (the browser's own reload: `pagehide`, then a fresh load) and wait until ready. */
export async function reloadEditor(app: EditorApp): Promise<void> {
  await app.page.reload();
  await waitUntilReady(app);
}

/** Log in through the login form; resolves when the editor is ready. */
export async function logIn(app: EditorApp, password: string): Promise<void> {
  await app.login.password.fill(password);
  const login = app.page.waitForResponse((r) => r.url().endsWith('/api/auth/login') && r.request().method() === 'POST');
  await app.login.submit.click();
  expect((await login).status(), 'POST /api/auth/login').toBe(200);
  await waitUntilReady(app);
}

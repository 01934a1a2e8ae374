import { randomBytes } from 'node:crypto';
import { logIn, waitUntilReady } from '../composers/open-editor.js';
import { expect, test } from '../support/fixtures.js';

// Made up for this test and hashed at test time by `plantwire hash-password`; stored nowhere.
test.use({ adminPassword: `e2e-${randomBytes(12).toString('hex')}` });

test('with an admin password the editor asks for it before showing anything', async ({ app, capture, request, adminPassword }) => {
  await app.page.goto('/');
  await expect(app.login.form).toBeVisible();
  await expect(app.canvas.root).toHaveCount(0);
  // The API is closed too, not just the page.
  expect((await request.get('/api/flows')).status()).toBe(401);
  await capture('login form');

  await app.login.password.fill('not-the-password');
  await app.login.submit.click();
  await expect(app.login.error).toContainText('Wrong password');
  await expect(app.canvas.root).toHaveCount(0);

  await logIn(app, adminPassword!);
  await expect(app.login.form).toHaveCount(0);
  await capture('logged in');

  // The session lives in the tab (sessionStorage): a reload stays logged in.
  await app.page.reload();
  await waitUntilReady(app);
});

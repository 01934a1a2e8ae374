import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base } from '@playwright/test';
import { EditorApp } from '../pages/EditorApp.js';
import { hashPassword, REPO_ROOT, startPlantwire, type PlantwireServer } from './plantwire-process.js';

/** Screenshots of the main states, kept after the run (gitignored): e2e/artifacts/<spec>/<test>--<state>.png. */
export const ARTIFACTS_DIR = join(REPO_ROOT, 'e2e', 'artifacts');

export interface PlantwireOptions {
  /** Start the simulated plant with the server (`test.use({ plant: true })`); off: `--no-sim`. */
  readonly plant: boolean;
  /** An admin password: its hash (made now, by `plantwire hash-password`) turns auth on. */
  readonly adminPassword: string | undefined;
}

export interface PlantwireFixtures {
  /** This test's own `plantwire start`: fresh data dir, empty flow, free ports; SIGTERM after. */
  readonly plantwire: PlantwireServer;
  /** The editor's page objects on `page`. */
  readonly app: EditorApp;
  /** Save a screenshot of the page as a named state of this test, attached to its report. */
  readonly capture: (state: string) => Promise<void>;
}

const slug = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

export const test = base.extend<PlantwireOptions & PlantwireFixtures>({
  plant: [false, { option: true }],
  adminPassword: [undefined, { option: true }],

  plantwire: async ({ plant, adminPassword }, use) => {
    const adminPasswordHash = adminPassword === undefined ? undefined : await hashPassword(adminPassword);
    const server = await startPlantwire({ plant, ...(adminPasswordHash !== undefined ? { adminPasswordHash } : {}) });
    try {
      await use(server);
    } finally {
      // A server that does not stop cleanly on SIGTERM (exit 0 within the bound) fails the test.
      await server.stop();
    }
  },

  baseURL: async ({ plantwire }, use) => {
    await use(plantwire.url);
  },

  app: async ({ page }, use) => {
    await use(new EditorApp(page));
  },

  capture: async ({ page }, use, testInfo) => {
    const dir = join(ARTIFACTS_DIR, slug(testInfo.titlePath[0]?.replace(/\.spec\.ts$/, '') ?? 'spec'));
    const name = slug(testInfo.title);
    mkdirSync(dir, { recursive: true });
    await use(async (state) => {
      const path = join(dir, `${name}--${slug(state)}.png`);
      await page.screenshot({ path });
      await testInfo.attach(state, { path, contentType: 'image/png' });
    });
  },
});

export { expect } from '@playwright/test';

import type { Locator, Page } from '@playwright/test';

/** The top toolbar, the deploy banner under it and the status bar at the bottom. */
export class ToolbarPage {
  constructor(readonly page: Page) {}

  get deploy(): Locator {
    return this.page.getByTestId('deploy-button');
  }

  /** Changes not yet deployed (`data-semantic` / `data-layout` split them). */
  get pendingCount(): Locator {
    return this.page.getByTestId('pending-count');
  }

  get undo(): Locator {
    return this.page.getByTestId('undo-button');
  }

  get redo(): Locator {
    return this.page.getByTestId('redo-button');
  }

  get export(): Locator {
    return this.page.getByTestId('export-button');
  }

  /** In the export menu: download the working copy, pending changes included. */
  get exportWorkingCopy(): Locator {
    return this.page.getByTestId('export-working');
  }

  get import(): Locator {
    return this.page.getByTestId('import-button');
  }

  /** The server's refusal of a deploy, with every issue. */
  get deployError(): Locator {
    return this.page.getByTestId('deploy-error');
  }

  get deployIssues(): Locator {
    return this.deployError.getByTestId('deploy-issue');
  }

  get deploySuccess(): Locator {
    return this.page.getByTestId('deploy-success');
  }

  /** "live" while the socket to the server is up. */
  get liveState(): Locator {
    return this.page.getByTestId('live-state');
  }

  /** The status bar's one-line notice (restored draft, refused wire, imports). */
  get notice(): Locator {
    return this.page.getByTestId('notice');
  }
}

import type { Locator, Page } from '@playwright/test';

/** Import: paste or choose a flow file, preview what it adds, add it to the working copy. */
export class ImportDialog {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('import-dialog');
  }

  get text(): Locator {
    return this.root.getByTestId('import-text');
  }

  get file(): Locator {
    return this.root.getByTestId('import-file');
  }

  get previewButton(): Locator {
    return this.root.getByTestId('import-preview-button');
  }

  get preview(): Locator {
    return this.root.getByTestId('import-preview');
  }

  get error(): Locator {
    return this.root.getByTestId('import-error');
  }

  get confirm(): Locator {
    return this.root.getByTestId('import-confirm');
  }
}

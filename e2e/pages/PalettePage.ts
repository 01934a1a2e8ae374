import type { Locator, Page } from '@playwright/test';

/** The node palette: node types by category, with search. */
export class PalettePage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('palette');
  }

  get search(): Locator {
    return this.page.getByTestId('palette-search');
  }

  item(type: string): Locator {
    return this.page.getByTestId(`palette-item-${type}`);
  }
}

import type { Locator, Page } from '@playwright/test';

/** The login form, shown when the server has an admin password. */
export class LoginPage {
  constructor(readonly page: Page) {}

  get form(): Locator {
    return this.page.getByTestId('login-form');
  }

  get password(): Locator {
    return this.page.getByTestId('login-password');
  }

  get submit(): Locator {
    return this.page.getByTestId('login-submit');
  }

  get error(): Locator {
    return this.page.getByTestId('login-error');
  }
}

import type { Locator, Page } from '@playwright/test';

/**
 * The right-hand inspector: the selected node's form (generated from its schema) or a connection
 * entry's form. Fields are `field-<path joined with .>`, their inline problems `field-error-<path>`.
 */
export class InspectorPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('inspector');
  }

  get nodeForm(): Locator {
    return this.page.getByTestId('node-form');
  }

  get connectionForm(): Locator {
    return this.page.getByTestId('connection-form');
  }

  get nodeName(): Locator {
    return this.page.getByTestId('node-name');
  }

  get docs(): Locator {
    return this.nodeForm.getByTestId('node-docs');
  }

  /** A field of the form on show (node or connection). */
  field(path: string): Locator {
    return this.root.getByTestId(`field-${path}`);
  }

  fieldError(path: string): Locator {
    return this.root.getByTestId(`field-error-${path}`);
  }

  /** "New" beside a connection picker: a new connection entry of that field's type, opened in the inspector. */
  newConnection(path: string): Locator {
    return this.root.getByTestId(`connection-new-${path}`);
  }

  /** "Add" under a list field (`rules`, `tags`): a new item at its end. */
  addItem(path: string): Locator {
    return this.root.getByTestId(`list-add-${path}`);
  }

  async fill(path: string, text: string): Promise<void> {
    await this.field(path).fill(text);
  }

  /** Pick an option of a select field by its visible label. */
  async choose(path: string, label: string): Promise<void> {
    await this.field(path).selectOption({ label });
  }

  /** Pick an option of a select field by its value (a connection id). */
  async chooseValue(path: string, value: string): Promise<void> {
    await this.field(path).selectOption(value);
  }

  async setChecked(path: string, checked: boolean): Promise<void> {
    await this.field(path).setChecked(checked);
  }
}

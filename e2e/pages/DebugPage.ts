import type { Locator, Page } from '@playwright/test';

/** The debug sidebar: messages of debug nodes and node errors, live from the server. */
export class DebugPage {
  constructor(readonly page: Page) {}

  get root(): Locator {
    return this.page.getByTestId('debug-sidebar');
  }

  get messages(): Locator {
    return this.root.getByTestId('debug-message');
  }

  /** Rows of one node (`data-node-id` on each row). */
  messagesOf(nodeId: string): Locator {
    return this.messages.and(this.page.locator(`[data-node-id="${nodeId}"]`));
  }

  /** The exact count of messages a debug node received, from the server's metrics. */
  received(nodeId: string): Locator {
    return this.root.getByTestId(`debug-received-${nodeId}`);
  }

  get filterText(): Locator {
    return this.root.getByTestId('debug-filter-text');
  }

  get clear(): Locator {
    return this.root.getByTestId('debug-clear');
  }
}

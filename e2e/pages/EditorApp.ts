import type { Page } from '@playwright/test';
import { CanvasPage } from './CanvasPage.js';
import { DebugPage } from './DebugPage.js';
import { ImportDialog } from './ImportDialog.js';
import { InspectorPage } from './InspectorPage.js';
import { LoginPage } from './LoginPage.js';
import { PalettePage } from './PalettePage.js';
import { ToolbarPage } from './ToolbarPage.js';

/** Every page object of the editor, on one page. */
export class EditorApp {
  readonly canvas: CanvasPage;
  readonly palette: PalettePage;
  readonly inspector: InspectorPage;
  readonly debug: DebugPage;
  readonly toolbar: ToolbarPage;
  readonly importDialog: ImportDialog;
  readonly login: LoginPage;

  constructor(readonly page: Page) {
    this.canvas = new CanvasPage(page);
    this.palette = new PalettePage(page);
    this.inspector = new InspectorPage(page);
    this.debug = new DebugPage(page);
    this.toolbar = new ToolbarPage(page);
    this.importDialog = new ImportDialog(page);
    this.login = new LoginPage(page);
  }
}

import type { FlowDocument } from './document.js';

/** A variable lookup as {@link substituteEnv} and node contexts use it. */
export type EnvLookup = (name: string) => string | undefined;

/**
 * The environment a node on tab `tabId` sees: the tab's `env` over the document's `env` over the
 * process environment (innermost wins). Pass `tabId` undefined for connections and for nodes on
 * no tab. An unknown tab id simply contributes nothing.
 *
 * Only own properties count, so a variable named `constructor` or `toString` is not found by
 * accident on the prototype.
 *
 * @example
 * const lookup = envLookup(doc, node.tab, process.env);
 * const { value, missing } = substituteEnv(node.config, lookup);
 */
export function envLookup(
  doc: Pick<FlowDocument, 'env' | 'tabs'>,
  tabId: string | undefined,
  processEnv: Readonly<Record<string, string | undefined>> = {},
): EnvLookup {
  const tabEnv = tabId === undefined ? undefined : doc.tabs?.find((t) => t.id === tabId)?.env;
  const docEnv = doc.env;
  return (name) => {
    if (tabEnv && Object.hasOwn(tabEnv, name)) return tabEnv[name];
    if (docEnv && Object.hasOwn(docEnv, name)) return docEnv[name];
    return Object.hasOwn(processEnv, name) ? processEnv[name] : undefined;
  };
}

import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalStringify, parseDocumentText, type FlowDocument } from '@plantwire/flow';
import { writeFileAtomically } from '@plantwire/runtime';

/** The stored document with its revision. */
export interface StoredFlow {
  /** The document as last deployed (or loaded), before any server-side env overlay. */
  readonly document: unknown;
  /** Canonical text of the document (what flows.json holds and export sends). */
  readonly text: string;
  readonly revision: string;
}

export interface FlowStore {
  current(): StoredFlow;
  /** False when the document came from `initial` and has not been written yet. */
  readonly persisted: boolean;
  /** Make `document` current and, with a data dir, write it to flows.json atomically. */
  save(document: FlowDocument): Promise<StoredFlow>;
}

/** The revision of a document: a hash of its canonical text, so it survives restarts. */
export function revisionOf(text: string): string {
  return createHash('sha256').update(text).digest('base64url').slice(0, 22);
}

/** Canonical text of a validated document; anything else (a broken flows.json) as plain JSON. */
export function textOf(document: unknown): string {
  try {
    return `${canonicalStringify(document as FlowDocument)}`;
  } catch {
    return `${JSON.stringify(document, null, 2)}\n`;
  }
}

export const EMPTY_DOCUMENT: FlowDocument = { version: 1, nodes: [], wires: [] } as unknown as FlowDocument;

/**
 * Load `<dataDir>/flows.json` (or `initial` when there is none, or memory only without a data
 * dir). A flows.json that is not JSON is an error naming its line and column: the server must not
 * silently replace a user's flows.
 */
export async function createFlowStore(options: { dataDir?: string | undefined; initial: unknown }): Promise<FlowStore> {
  const file = options.dataDir === undefined ? undefined : join(options.dataDir, 'flows.json');
  let document: unknown = options.initial;
  let persisted = false;
  if (file !== undefined) {
    await mkdir(options.dataDir!, { recursive: true });
    let text: string | undefined;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`cannot read ${file}: ${(err as Error).message}`, { cause: err });
    }
    if (text !== undefined) {
      const parsed = parseDocumentText(text);
      if (!parsed.ok) throw new Error(`${file}: ${parsed.issue.message}`);
      document = parsed.value;
      persisted = true;
    }
  }
  const make = (doc: unknown): StoredFlow => {
    const text = textOf(doc);
    return { document: doc, text, revision: revisionOf(text) };
  };
  let current = make(document);

  return {
    current: () => current,
    get persisted() {
      return persisted;
    },
    async save(doc) {
      const next = make(doc);
      if (file !== undefined) {
        try {
          await writeFileAtomically(file, next.text, { mode: 0o600 });
        } catch (err) {
          throw new Error(`cannot write ${file}: ${(err as Error).message}`, { cause: err });
        }
      }
      current = next;
      persisted = file !== undefined;
      return next;
    },
  };
}


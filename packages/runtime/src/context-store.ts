import { mkdirSync, readFileSync } from 'node:fs';
import { mkdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { ContextStore } from '@plantwire/node-sdk';
import { writeFileAtomically } from './write-file-atomically.js';

/** Options of {@link createContextStores}. */
export interface ContextStoresOptions {
  /** Persist under `<dataDir>/context/`; without it every store is memory-only. */
  readonly dataDir?: string | undefined;
  /** How long after the first change a store is written. Default 250 ms. */
  readonly debounceMs?: number;
  /** A store that could not be read or written; the store keeps working in memory. */
  readonly onError?: (err: Error, scope: string) => void;
}

/** The node, flow (tab) and global context stores of one runtime. */
export interface ContextStores {
  node(nodeId: string): ContextStore;
  /** The store of a tab; nodes without a tab share one. */
  flow(tabId: string | undefined): ContextStore;
  global(): ContextStore;
  /**
   * A node's three stores as its context hands them out (`ctx.context`). The node's own store is
   * opened when first read, so the many nodes that never use it cost nothing (and, with a data
   * directory, no file read).
   */
  forNode(nodeId: string, tabId: string | undefined): { readonly node: ContextStore; readonly flow: ContextStore; readonly global: ContextStore };
  /** Forget a removed node's store (and its file). */
  removeNode(nodeId: string): void;
  /** Write every changed store now; resolves when the files are renamed into place. */
  flush(): Promise<void>;
}

const NO_TAB = '_default';

/**
 * Create the context stores of a runtime: synchronous `get/set/delete/keys` on in-memory maps,
 * persisted (when `dataDir` is given) as one JSON file per scope under `<dataDir>/context/`,
 * written atomically (temporary file, then rename) a short debounce after a change, and read back
 * the first time a scope is used. Values must be JSON values; anything else (a function, a Date, a
 * cycle, NaN) is refused by `set` with an error naming the key and where in the value it sits.
 *
 * @example
 * const stores = createContextStores({ dataDir: '/var/lib/plantwire' });
 * stores.flow('line-1').set('count', 3);
 * await stores.flush();
 */
export function createContextStores(options: ContextStoresOptions = {}): ContextStores {
  const dir = options.dataDir === undefined ? undefined : join(options.dataDir, 'context');
  const debounceMs = options.debounceMs ?? 250;
  const scopes = new Map<string, Scope>();
  const dirty = new Set<Scope>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Writes are chained so two flushes never race on the same temporary file.
  let writing: Promise<void> = Promise.resolve();

  const report = (err: unknown, scope: string) => {
    options.onError?.(err instanceof Error ? err : new Error(String(err)), scope);
  };

  function fileOf(name: string): string | undefined {
    return dir === undefined ? undefined : join(dir, `${encodeURIComponent(name)}.json`);
  }

  function open(name: string): Scope {
    let scope = scopes.get(name);
    if (scope) return scope;
    scope = { name, data: load(name), store: undefined as unknown as ContextStore };
    const s = scope;
    const changed = () => {
      if (dir === undefined) return;
      dirty.add(s);
      if (timer === undefined) {
        timer = setTimeout(() => {
          timer = undefined;
          void write();
        }, debounceMs);
        // A pending write must not keep a stopping process alive; stop() flushes explicitly.
        timer.unref?.();
      }
    };
    scope.store = {
      get: (key) => s.data.get(key),
      set(key, value) {
        if (value === undefined) {
          s.data.delete(key);
        } else {
          const problem = findNonJson(value, new Set());
          if (problem !== undefined) {
            throw new TypeError(`context.set("${key}") in ${describeScope(name)}: the value is not JSON-serialisable: ${problem.what} at ${problem.path}; store plain data (numbers, strings, booleans, null, arrays, plain objects)`);
          }
          s.data.set(key, value);
        }
        changed();
      },
      delete(key) {
        if (s.data.delete(key)) changed();
      },
      keys: () => [...s.data.keys()],
    };
    scopes.set(name, scope);
    return scope;
  }

  function load(name: string): Map<string, unknown> {
    const file = fileOf(name);
    const data = new Map<string, unknown>();
    if (file === undefined) return data;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') report(new Error(`reading context file ${file} failed: ${(err as Error).message}`, { cause: err }), name);
      return data;
    }
    try {
      const parsed: unknown = JSON.parse(text);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the file does not hold a JSON object');
      for (const [k, v] of Object.entries(parsed)) data.set(k, v);
    } catch (err) {
      report(new Error(`context file ${file} is not valid (${(err as Error).message}); starting ${describeScope(name)} empty`, { cause: err }), name);
    }
    return data;
  }

  function write(): Promise<void> {
    const batch = [...dirty];
    dirty.clear();
    writing = writing.then(async () => {
      if (dir === undefined || batch.length === 0) return;
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        report(err, 'context');
        return;
      }
      for (const scope of batch) {
        const file = fileOf(scope.name)!;
        try {
          await writeFileAtomically(file, JSON.stringify(Object.fromEntries(scope.data)));
        } catch (err) {
          report(new Error(`writing context file ${file} failed: ${(err as Error).message}`, { cause: err }), scope.name);
        }
      }
    });
    return writing;
  }

  const node = (nodeId: string) => open(`node-${nodeId}`).store;
  // Flow and global scopes are never removed, so their stores are kept by tab here: `forNode` runs
  // for every node of a deploy, and a name string and two lookups each were ~0.3 MB of garbage on
  // a 5,000-node one.
  const flowStores = new Map<string | undefined, ContextStore>();
  let globalStore: ContextStore | undefined;
  const flowStore = (tabId: string | undefined): ContextStore => {
    let store = flowStores.get(tabId);
    if (store === undefined) flowStores.set(tabId, (store = open(`flow-${tabId ?? NO_TAB}`).store));
    return store;
  };
  return {
    node,
    forNode: (nodeId, tabId) => new NodeScopes(node, nodeId, flowStore(tabId), (globalStore ??= open('global').store)),
    flow: (tabId) => open(`flow-${tabId ?? NO_TAB}`).store,
    global: () => open('global').store,
    removeNode(nodeId) {
      const name = `node-${nodeId}`;
      const scope = scopes.get(name);
      if (scope) dirty.delete(scope);
      scopes.delete(name);
      const file = fileOf(name);
      if (file === undefined) return;
      writing = writing.then(() =>
        unlink(file).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ENOENT') report(err, name);
        }),
      );
    },
    async flush() {
      if (timer !== undefined) {
        clearTimeout(timer);
        timer = undefined;
      }
      if (dir !== undefined) await mkdir(dir, { recursive: true }).catch((err: unknown) => report(err, 'context'));
      await write();
    },
  };
}

/** `ctx.context` of one node: its own store opened on first read (the same store every time after). */
class NodeScopes {
  readonly #open: (nodeId: string) => ContextStore;
  readonly #nodeId: string;
  #node: ContextStore | undefined = undefined;

  constructor(
    open: (nodeId: string) => ContextStore,
    nodeId: string,
    readonly flow: ContextStore,
    readonly global: ContextStore,
  ) {
    this.#open = open;
    this.#nodeId = nodeId;
  }

  get node(): ContextStore {
    return (this.#node ??= this.#open(this.#nodeId));
  }
}

interface Scope {
  readonly name: string;
  readonly data: Map<string, unknown>;
  store: ContextStore;
}

function describeScope(name: string): string {
  if (name === 'global') return 'the global context';
  if (name.startsWith('flow-')) return `the flow context of tab "${name.slice(5)}"`;
  return `the context of node "${name.slice(5)}"`;
}

/**
 * Where a value stops being plain JSON data, or undefined when it is JSON all the way down.
 * Stricter than `JSON.stringify`, which would silently drop functions and turn NaN and Dates into
 * something else, so a value read back after a restart would not be the value stored.
 */
export function findNonJson(value: unknown, seen: Set<object>, path = '$'): { what: string; path: string } | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : { what: String(value), path };
    case 'object': {
      if (value === null) return undefined;
      if (seen.has(value)) return { what: 'a circular reference', path };
      if (Array.isArray(value)) {
        seen.add(value);
        for (let i = 0; i < value.length; i++) {
          const p = findNonJson(value[i], seen, `${path}[${i}]`);
          if (p) return p;
        }
        seen.delete(value);
        return undefined;
      }
      const proto: unknown = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        const name = (value as object).constructor?.name ?? 'object';
        return { what: `a ${name}`, path };
      }
      seen.add(value);
      for (const [k, v] of Object.entries(value)) {
        const p = findNonJson(v, seen, `${path}.${k}`);
        if (p) return p;
      }
      seen.delete(value);
      return undefined;
    }
    case 'undefined':
      return { what: 'undefined', path };
    default:
      return { what: `a ${typeof value}`, path };
  }
}

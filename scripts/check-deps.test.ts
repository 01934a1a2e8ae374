import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkDependencies, dependencyRule, importsOf } from './check-deps.js';

describe('dependencyRule', () => {
  it('forbids the editor importing the runtime', () => {
    expect(dependencyRule('apps/editor/src/App.tsx', '@plantwire/runtime')).toMatch(/editor/);
    expect(dependencyRule('apps/editor/src/App.tsx', '@plantwire/flow')).toBeUndefined();
    expect(dependencyRule('apps/editor/src/App.tsx', '@plantwire/protocol')).toBeUndefined();
    expect(dependencyRule('apps/editor/src/App.tsx', '@plantwire/node-sdk')).toMatch(/only @plantwire\/flow and @plantwire\/protocol/);
    expect(dependencyRule('apps/editor/src/App.tsx', '../../server/src/app.js')).toMatch(/only through/);
    expect(dependencyRule('packages/protocol/src/rest.ts', '@plantwire/runtime')).toMatch(/contract/);
    expect(dependencyRule('apps/server/src/index.ts', '@plantwire/runtime')).toBeUndefined();
  });

  it('keeps the runtime headless and free of node packages', () => {
    for (const spec of ['react', 'react/jsx-runtime', 'express', 'socket.io', 'mqtt', 'modbus-serial', 'node-opcua', 'node-opcua-client', '@plantwire/nodes-core', '@plantwire/nodes-mqtt/src/x.js']) {
      expect(dependencyRule('packages/runtime/src/engine.ts', spec), spec).toBeDefined();
    }
    for (const spec of ['@plantwire/flow', '@plantwire/node-sdk', 'node:events', './queue.js', 'zod']) {
      expect(dependencyRule('packages/runtime/src/engine.ts', spec), spec).toBeUndefined();
    }
    // only whole package names count: "reactive" is not "react"
    expect(dependencyRule('packages/runtime/src/engine.ts', 'reactive')).toBeUndefined();
  });

  it('keeps packages/flow pure', () => {
    expect(dependencyRule('packages/flow/src/validate.ts', '@plantwire/node-sdk')).toBeDefined();
    expect(dependencyRule('packages/flow/src/validate.ts', '../../node-sdk/src/index.js')).toBeDefined();
    expect(dependencyRule('packages/flow/src/validate.ts', './document.js')).toBeUndefined();
    expect(dependencyRule('packages/flow/src/validate.ts', 'zod')).toBeUndefined();
  });

  it('forbids packages importing apps', () => {
    expect(dependencyRule('packages/nodes-core/src/debug/debug.node.ts', '../../../../apps/cli/src/main.js')).toBeDefined();
    for (const app of ['@plantwire/cli', '@plantwire/server', '@plantwire/editor']) {
      expect(dependencyRule('packages/testing/src/run-flow.ts', app), app).toBeDefined();
    }
    expect(dependencyRule('apps/cli/src/main.ts', '@plantwire/nodes-core')).toBeUndefined();
  });
});

describe('importsOf', () => {
  it('finds static, type-only, re-export, dynamic and require imports with their lines', () => {
    const text = [
      "import { a } from 'a';",
      'import type {',
      '  B,',
      "} from 'b';",
      "export * from './c.js';",
      "const d = await import('d');",
      "const e = require('e');",
      "// import x from 'not-an-import';",
    ].join('\n');
    expect(importsOf(text)).toEqual([
      { specifier: 'a', line: 1 },
      { specifier: 'b', line: 4 },
      { specifier: './c.js', line: 5 },
      { specifier: 'd', line: 6 },
      { specifier: 'e', line: 7 },
    ]);
  });
});

describe('checkDependencies', () => {
  const root = mkdtempSync(join(tmpdir(), 'check-deps-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };

  it('lists every violating import as file:line and nothing else', () => {
    write('packages/runtime/src/engine.ts', "import { z } from 'zod';\nimport express from 'express';\n");
    write('packages/flow/src/index.ts', "export * from './document.js';\n");
    write('apps/editor/src/store.ts', "\n\nimport type { Runtime } from '@plantwire/runtime';\n");
    write('apps/editor/node_modules/x/src/y.ts', "import '@plantwire/runtime';\n");
    expect(checkDependencies(root).map((v) => `${v.file}:${v.line} ${v.specifier}`)).toEqual([
      'apps/editor/src/store.ts:3 @plantwire/runtime',
      'packages/runtime/src/engine.ts:2 express',
    ]);
  });
});

/**
 * The dependency-direction check (DESIGN.md "Arrows"): boundaries are code, not etiquette.
 *
 * Scans every import in apps/*\/src and packages/*\/src and fails, listing `file:line`, when an
 * arrow points the wrong way. Run: `pnpm check:deps` (part of `npm test`).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, posix, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

/** One import that breaks a rule. */
export interface DependencyViolation {
  /** Repo-relative, forward slashes. */
  readonly file: string;
  readonly line: number;
  readonly specifier: string;
  readonly rule: string;
}

/** Libraries the headless runtime must never import: UI, web servers, protocol clients. */
const RUNTIME_FORBIDDEN = ['react', 'react-dom', 'express', 'socket.io', 'socket.io-client', 'mqtt', 'modbus-serial', 'node-opcua'];

/** The package a bare specifier names: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** Which workspace project a repo-relative file belongs to: `packages/runtime`, `apps/editor`, or undefined. */
function projectOf(file: string): string | undefined {
  const m = /^(packages|apps)\/([^/]+)\//.exec(file);
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/**
 * The rule an import breaks, or undefined when it is allowed.
 *
 * @param file the importing file, repo-relative with forward slashes (`packages/runtime/src/engine.ts`)
 * @param specifier the import specifier as written (`react`, `@plantwire/nodes-core`, `../../apps/cli/src/x.js`)
 */
export function dependencyRule(file: string, specifier: string): string | undefined {
  const project = projectOf(file);
  if (!project) return undefined;
  const relativeImport = specifier.startsWith('.');
  // A relative import is judged by where it lands, so `../../../apps/x` cannot sneak past.
  const target = relativeImport ? posix.normalize(posix.join(posix.dirname(file), specifier)) : undefined;
  const pkg = relativeImport ? undefined : packageName(specifier);

  if (project.startsWith('packages/')) {
    if (target !== undefined && target.startsWith('apps/')) {
      return 'packages/* must not import from apps/';
    }
    if (pkg === '@plantwire/cli' || pkg === '@plantwire/server' || pkg === '@plantwire/editor') {
      return `packages/* must not import ${pkg} (apps depend on packages, never the reverse)`;
    }
  }
  if (project === 'packages/flow' && pkg?.startsWith('@plantwire/')) {
    return 'packages/flow is pure and imports nothing of ours';
  }
  if (project === 'packages/flow' && target !== undefined && !target.startsWith('packages/flow/')) {
    return 'packages/flow is pure and imports nothing of ours';
  }
  if (project === 'packages/runtime' && pkg !== undefined) {
    if (pkg.startsWith('@plantwire/nodes-')) {
      return 'packages/runtime is handed node types; it never imports a node package';
    }
    if (RUNTIME_FORBIDDEN.includes(pkg) || pkg.startsWith('node-opcua-')) {
      return `packages/runtime is headless and must not import ${pkg}`;
    }
  }
  if (project === 'apps/editor' && pkg?.startsWith('@plantwire/') && pkg !== '@plantwire/flow' && pkg !== '@plantwire/protocol') {
    return `apps/editor imports only @plantwire/flow and @plantwire/protocol and learns node types as data from the server; it must not import ${pkg}`;
  }
  if (project === 'apps/editor' && target !== undefined && !target.startsWith('apps/editor/')) {
    return 'apps/editor reaches other projects only through @plantwire/flow and @plantwire/protocol';
  }
  if (project === 'packages/protocol' && pkg?.startsWith('@plantwire/') && pkg !== '@plantwire/flow') {
    return 'packages/protocol is the editor–server contract and imports only @plantwire/flow';
  }
  return undefined;
}

/** Every import of one source text with its 1-based line (static, dynamic, `export … from`, `require`). */
export function importsOf(text: string): Array<{ specifier: string; line: number }> {
  const info = ts.preProcessFile(text, true, true);
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const lineOf = (pos: number) => {
    let line = 0;
    while (line + 1 < lineStarts.length && lineStarts[line + 1]! <= pos) line++;
    return line + 1;
  };
  return info.importedFiles.map((ref) => ({ specifier: ref.fileName, line: lineOf(ref.pos) }));
}

function sourceFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return []; // a project without src/ has nothing to check
  }
  const files: string[] = [];
  for (const entry of entries) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    const full = join(dir, entry);
    if (statSync(full).isDirectory()) files.push(...sourceFiles(full));
    else if (/\.(c|m)?(t|j)sx?$/.test(entry) && !entry.endsWith('.d.ts')) files.push(full);
  }
  return files;
}

/** Scan apps/*\/src and packages/*\/src under `root` and return every violation, sorted by file and line. */
export function checkDependencies(root: string): DependencyViolation[] {
  const violations: DependencyViolation[] = [];
  for (const group of ['apps', 'packages']) {
    let projects: string[];
    try {
      projects = readdirSync(join(root, group));
    } catch {
      continue;
    }
    for (const project of projects.sort()) {
      for (const full of sourceFiles(join(root, group, project, 'src'))) {
        const file = relative(root, full).split(sep).join('/');
        for (const { specifier, line } of importsOf(readFileSync(full, 'utf8'))) {
          const rule = dependencyRule(file, specifier);
          if (rule) violations.push({ file, line, specifier, rule });
        }
      }
    }
  }
  return violations.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
}

function main(): void {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const violations = checkDependencies(root);
  for (const v of violations) console.error(`${v.file}:${v.line}  imports "${v.specifier}": ${v.rule}`);
  if (violations.length > 0) {
    console.error(`check-deps: ${violations.length} import(s) break the dependency direction (docs: DESIGN.md "Arrows")`);
    process.exitCode = 1;
  } else {
    console.log('check-deps: OK, every import follows the dependency direction');
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();

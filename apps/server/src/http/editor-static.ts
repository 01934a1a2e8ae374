import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { NextFunction, Request, Response, Router } from 'express';
import type { HttpLibraries } from './http-libraries.js';

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Plantwire</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>Plantwire is running</h1>
<p>The server, the runtime and the API (<a href="/api/node-types">/api/node-types</a>, <a href="/health">/health</a>) are up,
but the editor has not been built, so there is no page to show here.</p>
<p>Build it with <code>pnpm --filter @plantwire/editor build</code> and reload (<code>npm start</code> builds it for you).</p>
</body></html>
`;

/**
 * A path that could leave the editor folder: `..` or `.` segments (raw or percent-encoded), a
 * backslash, a NUL byte, or an encoding that does not decode. Answered 400 before any file lookup.
 */
export function isUnsafePath(rawPath: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return true;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return true;
  return decoded.split('/').some((segment) => segment === '..' || segment === '.');
}

/**
 * The built editor: files from `editorDir`, and `index.html` for any other GET that asks for a
 * page (the editor's client-side routes). Without a build, `/` explains how to make one.
 */
export function editorStatic(editorDir: string | undefined, { express }: HttpLibraries): Router {
  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    // req.url is the raw path (express does not normalise it), so an encoded `%2e%2e` is seen here.
    const rawPath = (req.originalUrl.split('?')[0] ?? '/');
    if (isUnsafePath(rawPath)) {
      res.status(400).type('text/plain').send('Bad request: the path may not contain "..", ".", "\\" or NUL segments\n');
      return;
    }
    next();
  });
  const index = editorDir === undefined ? undefined : join(editorDir, 'index.html');
  if (editorDir === undefined || index === undefined || !existsSync(index)) {
    router.get('/', (_req, res) => {
      res.type('html').send(NOT_BUILT_PAGE);
    });
    return router;
  }
  // dotfiles denied, no directory redirects: only the build's own files are served.
  router.use(express.static(editorDir, { dotfiles: 'deny', redirect: false, index: 'index.html', fallthrough: true }));
  router.get('/{*splat}', (req, res, next) => {
    // A missing asset (a path with an extension) is a 404, not the app's page.
    if (/\.[A-Za-z0-9]+$/.test(req.path) || !req.accepts('html')) return next();
    res.set('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}

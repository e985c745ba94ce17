/** /openapi.json and /docs (Swagger UI served from the swagger-ui-dist package: no CDN needed). */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Router from '@koa/router';
import { fileURLToPath } from 'node:url';
import { buildOpenApi } from '../openapi.ts';

const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'favicon-32x32.png']);

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Support Triage API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>`;

// A file, not an inline script: the Content-Security-Policy allows scripts from our own origin only.
// No validator badge: it would load an image from swagger.io.
const INIT = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', validatorUrl: null });\n`;

export function docsRouter(info: { title: string; version: string }): Router {
  const router = new Router({ sensitive: true });
  const document = buildOpenApi(info);
  // Resolve the package folder without importing it: its entry point loads the whole 1.5 MB UI bundle.
  const assetDir = path.dirname(fileURLToPath(import.meta.resolve('swagger-ui-dist/package.json')));

  router.get('/openapi.json', (ctx) => {
    ctx.body = document;
  });
  router.get('/docs', (ctx) => {
    ctx.type = 'html';
    ctx.body = PAGE;
  });
  router.get('/docs/init.js', (ctx) => {
    ctx.type = 'application/javascript';
    ctx.body = INIT;
  });
  router.get('/docs/assets/:file', async (ctx) => {
    const file = String(ctx.params.file);
    if (!ASSETS.has(file)) return; // falls through to 404
    ctx.type = path.extname(file);
    ctx.set('Cache-Control', 'public, max-age=86400');
    ctx.body = await readFile(path.join(assetDir, file));
  });
  return router;
}

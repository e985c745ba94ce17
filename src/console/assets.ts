/**
 * The console's static files, served by the app itself (no CDN, no build step): htmx and uPlot from
 * node_modules (pinned in package.json), our own stylesheet and scripts (keys, live updates, charts). Each is read once into memory.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Context } from 'koa';
import htmxPackage from 'htmx.org/package.json' with { type: 'json' };
import uplotPackage from 'uplot/package.json' with { type: 'json' };

const require = createRequire(import.meta.url);
const STYLESHEET = readFileSync(new URL('./assets/console.css', import.meta.url));
const KEYS = readFileSync(new URL('./assets/keys.js', import.meta.url));
const LIVE = readFileSync(new URL('./assets/live.js', import.meta.url));
const DASHBOARD_CHARTS = readFileSync(new URL('./assets/dashboard-charts.js', import.meta.url));
// Package versions and our own files' hash: a changed file gets a new URL, so year-long caching is safe.
const VERSION = `h${htmxPackage.version}-u${uplotPackage.version}-${createHash('sha256').update(STYLESHEET).update(KEYS).update(LIVE).update(DASHBOARD_CHARTS).digest('hex').slice(0, 10)}`;
export const ASSET_PREFIX = `/console/assets/${VERSION}`;

interface Asset {
  type: string;
  body: Buffer;
}

function load(): Map<string, Asset> {
  const js = 'text/javascript; charset=utf-8';
  const css = 'text/css; charset=utf-8';
  return new Map<string, Asset>([
    ['htmx.min.js', { type: js, body: readFileSync(require.resolve('htmx.org/dist/htmx.min.js')) }],
    ['uPlot.iife.min.js', { type: js, body: readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js')) }],
    ['uPlot.min.css', { type: css, body: readFileSync(require.resolve('uplot/dist/uPlot.min.css')) }],
    ['console.css', { type: css, body: STYLESHEET }],
    ['keys.js', { type: js, body: KEYS }],
    ['live.js', { type: js, body: LIVE }],
    ['dashboard-charts.js', { type: js, body: DASHBOARD_CHARTS }],
  ]);
}

/** Answers GET /console/assets/<version>/<name>; false when the path is not an asset. */
export function assetServer(): (ctx: Context) => boolean {
  let assets: Map<string, Asset> | undefined;
  return (ctx) => {
    if (!ctx.path.startsWith(`${ASSET_PREFIX}/`) || (ctx.method !== 'GET' && ctx.method !== 'HEAD')) return false;
    assets ??= load();
    const asset = assets.get(ctx.path.slice(ASSET_PREFIX.length + 1));
    if (!asset) return false;
    ctx.type = asset.type;
    ctx.set('Cache-Control', 'public, max-age=31536000, immutable');
    ctx.body = asset.body;
    return true;
  };
}

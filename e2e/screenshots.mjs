// Screenshots of every page (e2e/pages.mjs) for a reviewer: each page, for
// each role that can see it, at 360 px (phone, light and dark) and 1280 px
// (desktop), full length, plus an index.html that shows them side by side.
//
//   node e2e/screenshots.mjs [OUT_DIR]     (default: target/screenshots)
//
// Usually run through scripts/screenshots.sh, which builds the server first.
// The server binary is found as the browser tests find it (RECIPROCITY_BIN,
// or CARGO_TARGET_DIR/debug/reciprocity, or target/debug/reciprocity).

import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer, launchBrowser } from './tests/helpers.mjs';
import { makeWorld, everyPage, contextFor, ROLES, ROLE_NAMES } from './pages.mjs';

const repoRoot = fileURLToPath(new URL('../', import.meta.url));
const outDir = resolve(process.argv[2] || join(repoRoot, 'target', 'screenshots'));

const SHOTS = [
  { key: '360', title: '360 px', viewport: { width: 360, height: 780 }, mobile: true, scheme: 'light' },
  { key: '360-dark', title: '360 px, dark', viewport: { width: 360, height: 780 }, mobile: true, scheme: 'dark' },
  { key: '1280', title: '1280 px', viewport: { width: 1280, height: 800 }, mobile: false, scheme: 'light' },
];

const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);

/** A file-name-safe slug of a page's path. */
const slug = (path) => path.replace(/^\//, '').replace(/[^A-Za-z0-9]+/g, '-').replace(/-+$/, '').slice(0, 60) || 'root';

async function main() {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const server = await startServer();
  const browser = await launchBrowser();
  const rows = [];
  try {
    const world = await makeWorld(server.baseURL);
    const pages = everyPage(world);
    pages.forEach((p, i) => { p.file = `${String(i + 1).padStart(3, '0')}-${p.role}-${slug(p.path)}`; });
    for (const shot of SHOTS) {
      for (const role of ROLES) {
        const context = await contextFor(browser, world, role, {
          viewport: shot.viewport, isMobile: shot.mobile, hasTouch: shot.mobile, colorScheme: shot.scheme,
        });
        try {
          const page = await context.newPage();
          for (const p of pages.filter((x) => x.role === role)) {
            const res = await page.goto(p.path);
            p.status = res?.status();
            p.landed = page.url().replace(server.baseURL, '');
            await page.screenshot({ path: join(outDir, `${p.file}-${shot.key}.png`), fullPage: true });
          }
        } finally {
          await context.close();
        }
        process.stdout.write(`screenshots: ${shot.title}, ${ROLE_NAMES[role]} done\n`);
      }
    }
    rows.push(...pages);
  } finally {
    await browser.close();
    await server.stop();
  }
  await writeFile(join(outDir, 'index.html'), indexPage(rows));
  process.stdout.write(`screenshots: ${rows.length} pages x ${SHOTS.length} in ${outDir}\nopen ${join(outDir, 'index.html')}\n`);
}

/** One page holding every screenshot: a row per page, the sizes side by side, grouped by role. */
function indexPage(pages) {
  const sections = ROLES.map((role) => {
    const rows = pages.filter((p) => p.role === role).map((p) => {
      const note = p.landed !== p.path ? ` (answered ${p.status}, now at ${escape(p.landed)})` : ` (${p.status})`;
      const cells = SHOTS.map((s) => {
        const file = `${p.file}-${s.key}.png`;
        return `<figure class="s${s.key === '1280' ? ' wide' : ''}"><a href="${file}"><img src="${file}" alt="${escape(`${p.label}, ${s.title}`)}" loading="lazy"></a><figcaption>${s.title}</figcaption></figure>`;
      }).join('');
      return `<section id="${p.file}"><h3><a href="#${p.file}">${escape(p.path)}</a><small>${note}</small></h3><div class="row">${cells}</div></section>`;
    }).join('\n');
    return `<h2 id="${role}">${escape(ROLE_NAMES[role])}</h2>\n${rows}`;
  }).join('\n');
  const toc = ROLES.map((r) => `<a href="#${r}">${escape(ROLE_NAMES[r])}</a>`).join(' · ');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Every page: ${pages.length} pages</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 1rem; background: #eee; color: #222; }
  nav { position: sticky; top: 0; background: #eee; padding: .5rem 0; z-index: 1; }
  h2 { margin-top: 2rem; border-bottom: 2px solid #999; }
  h3 { font-size: 1rem; margin: 1.5rem 0 .5rem; } h3 small { font-weight: normal; color: #666; margin-left: .5rem; }
  .row { display: flex; gap: 1rem; align-items: flex-start; overflow-x: auto; }
  figure { margin: 0; flex: none; }
  figure img { width: 360px; border: 1px solid #999; background: #fff; display: block; }
  figure.wide img { width: 640px; }
  figcaption { color: #666; font-size: .85rem; }
</style></head>
<body><h1>Every page, ${pages.length} in all</h1>
<p>Made by <code>scripts/screenshots.sh</code>. Each row: 360 px light, 360 px dark, 1280 px (shown at half size); click a picture for it at full size.</p>
<nav>${toc}</nav>
${sections}
</body></html>
`;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

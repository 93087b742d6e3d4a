// Draws the app's PNG icons (192 and 512 pixels, for the web app manifest)
// from our own crates/web/static/icon.svg, with the same chromium the tests
// use. Run after changing the SVG:  node e2e/make-icons.mjs
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from './tests/helpers.mjs';

const dir = fileURLToPath(new URL('../crates/web/static/', import.meta.url));
const svg = await readFile(`${dir}icon.svg`, 'utf8');
const browser = await launchBrowser();
try {
  for (const size of [192, 512]) {
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    const sized = svg.replace(/width="512" height="512"/, `width="${size}" height="${size}"`);
    await page.setContent(
      `<!doctype html><style>html,body{margin:0;background:transparent}svg{display:block}</style>${sized}`,
    );
    await page.screenshot({ path: `${dir}icon-${size}.png`, omitBackground: true });
    await page.close();
  }
} finally {
  await browser.close();
}

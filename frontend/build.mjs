// Copies the prebuilt dist files of the frontend packages into Django's static tree.
// Why copy rather than bundle: KERN UX and htmx ship ready-made minified dist files, so a bundler would only add a toolchain and nothing we need.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const nodeModules = join(here, "node_modules");
const vendor = join(here, "..", "schutznetz", "core", "static", "vendor");

function need(path) {
  if (!existsSync(path)) {
    console.error(`build.mjs: ${relative(here, path)} fehlt – zuerst "npm ci" ausführen.`);
    process.exit(1);
  }
  return path;
}

// KERN UX: dist/ keeps CSS next to fonts/, and fonts/*.css reference ./<family>/*.woff2 relatively,
// so the directory structure is kept. Sources (*.scss) and source maps are left out.
const kernDist = need(join(nodeModules, "@kern-ux", "native", "dist"));
const kernOut = join(vendor, "kern");
rmSync(kernOut, { recursive: true, force: true });
mkdirSync(kernOut, { recursive: true });
const wanted = /\.(css|woff2?|js)$/;
cpSync(kernDist, kernOut, {
  recursive: true,
  filter: (src) => statSync(src).isDirectory() || wanted.test(src),
});
for (const extra of ["LICENSE.md", "package.json"]) {
  const p = join(kernDist, "..", extra);
  if (existsSync(p)) cpSync(p, join(kernOut, extra));
}
need(join(kernOut, "kern.min.css"));

// htmx: one minified file.
const htmxOut = join(vendor, "htmx");
rmSync(htmxOut, { recursive: true, force: true });
mkdirSync(htmxOut, { recursive: true });
cpSync(need(join(nodeModules, "htmx.org", "dist", "htmx.min.js")), join(htmxOut, "htmx.min.js"));
const htmxLicense = join(nodeModules, "htmx.org", "LICENSE");
if (existsSync(htmxLicense)) cpSync(htmxLicense, join(htmxOut, "LICENSE"));

function count(dir) {
  return readdirSync(dir, { withFileTypes: true }).reduce(
    (n, e) => n + (e.isDirectory() ? count(join(dir, e.name)) : 1),
    0,
  );
}
console.log(`vendor: ${count(vendor)} Dateien nach ${relative(join(here, ".."), vendor)}/ kopiert`);

// Generates docs/rules/<id>.md from each rule's metadata and schema/zerodown.schema.json from the
// config validator, so neither can drift from the code. `--check` exits 1 when a file is stale.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { RULES, ruleMarkdown, configJsonSchema } = await import(path.join(root, 'dist/index.js'));
const check = process.argv.includes('--check');

const files = new Map();
for (const rule of RULES) files.set(`docs/rules/${rule.id}.md`, ruleMarkdown(rule));
files.set('schema/zerodown.schema.json', JSON.stringify(configJsonSchema(), null, 2) + '\n');

let stale = 0;
for (const [rel, content] of files) {
  const file = path.join(root, rel);
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  if (check) {
    console.error(`stale: ${rel} (run: npm run build && node scripts/gen-docs.mjs)`);
    stale++;
  } else {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    console.log(`wrote ${rel}`);
  }
}
// Docs for rules that no longer exist.
for (const f of fs.readdirSync(path.join(root, 'docs/rules'))) {
  if (!files.has(`docs/rules/${f}`)) {
    console.error(`orphan: docs/rules/${f} has no rule`);
    stale++;
  }
}
process.exit(stale ? 1 : 0);

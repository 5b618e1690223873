// Generates src/generated/peeps.ts from docs/schema.json (itself generated
// from the Rust types by peeps-dump/src/serve/schema.rs). Never edit the
// output by hand. `--check` regenerates in memory and exits 1 on a diff.
import { compile } from 'json-schema-to-typescript';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const schemaPath = path.resolve(here, '../../docs/schema.json');
const outPath = path.resolve(here, '../src/generated/peeps.ts');

const schema = JSON.parse(fs.readFileSync(schemaPath, 'utf8'));
const banner =
  '/* Generated from docs/schema.json by frontend/scripts/gen-types.mjs: do not edit.\n' +
  ' * The Rust types in peeps-graph are the source of truth. */';
let ts = await compile(schema, 'Peeps', {
  bannerComment: banner,
  unreachableDefinitions: true,
  additionalProperties: false,
  strictIndexSignatures: true,
  format: true,
  style: { singleQuote: true, printWidth: 100 },
});

if (process.argv.includes('--check')) {
  const current = fs.existsSync(outPath) ? fs.readFileSync(outPath, 'utf8') : '';
  if (current !== ts) {
    console.error(`${path.relative(process.cwd(), outPath)} is stale: run npm run gen-types and commit it`);
    process.exit(1);
  }
  console.log('generated types are up to date');
} else {
  fs.writeFileSync(outPath, ts);
  console.log(`wrote ${path.relative(process.cwd(), outPath)}`);
}

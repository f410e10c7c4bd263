/**
 * Benchmark 3 — Lambda cold start: what each function ships and how long its module takes to load.
 *
 * The bundle is built the way serverless.yml's serverless-esbuild config builds it (bundle, minify,
 * no source map, platform node, target node22, nothing external: the AWS SDK v3 is bundled), then
 * zipped (DEFLATE level 9). All three functions (webhook, worker, maintainer) have their handler in
 * src/lambda.ts and the service is not packaged individually, so they share one artifact; each is
 * still timed on its own: `require()` of the bundle and reading its handler, in a fresh `node`
 * process, median of several. That is the module-load part of a cold start; the first invocation
 * then also builds the bridge (config, SSM read, clients) — not measured here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import type { BenchReport, Row } from './results';
import { formatBytes, median, round } from './stats';
import { makeTempDir } from './bridge-harness';
import { buildZip } from './zip';

export const COLD_START_TARGETS = { zippedBytes: 1024 * 1024, importMs: 150 } as const;
const FUNCTIONS = ['webhook', 'worker', 'maintainer'] as const;

export interface ColdStartOptions {
  /** Fresh processes per function; the median is reported. */
  readonly runs: number;
}

interface FunctionFigures {
  readonly name: (typeof FUNCTIONS)[number];
  readonly handler: string;
  readonly bundleBytes: number;
  readonly zippedBytes: number;
  readonly importMs: { readonly median: number; readonly min: number; readonly max: number; readonly runs: number[] };
  readonly processWallMs: number;
}

/** Bytes in the bundle per npm package (or `src/` for our own code), largest first. */
function largestInputs(metafile: Metafile, outfile: string): Array<{ input: string; bytes: number }> {
  const output = Object.entries(metafile.outputs).find(([name]) => path.resolve(name) === path.resolve(outfile))?.[1];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match ? match[1]! : input.startsWith('src/') ? 'src/ (the bridge)' : input;
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * The dependencies behind the import time, each bundled alone the same way and imported in fresh
 * processes: what profiling the bundle points at (they share code, so they do not add up to the total).
 */
const DEPENDENCY_GROUPS: ReadonlyArray<{ name: string; source: string; usedBy: string }> = [
  {
    name: 'AWS SDK v3 (DynamoDB + SQS + SSM clients)',
    source: `export * as d from '@aws-sdk/client-dynamodb'; export * as q from '@aws-sdk/client-sqs'; export * as s from '@aws-sdk/client-ssm';`,
    usedBy: 'all three functions (state, queue, secrets at cold start)',
  },
  { name: 'axios', source: `export { default } from 'axios';`, usedBy: 'Genesys, Zoom and RingCentral REST clients (webhook never calls them)' },
  { name: 'zod', source: `export { z } from 'zod';`, usedBy: 'schemas on every path' },
  {
    name: '@azure/msal-node + @microsoft/microsoft-graph-client',
    source: `export * as m from '@azure/msal-node'; export { Client } from '@microsoft/microsoft-graph-client';`,
    usedBy: 'Teams reads, subscriptions and logins (worker, maintainer)',
  },
  { name: 'jsonwebtoken + jwks-rsa', source: `export { default as j } from 'jsonwebtoken'; export { default as k } from 'jwks-rsa';`, usedBy: 'Teams validation tokens (webhook, rich notifications)' },
];

/** Times `require(bundle)[handler]` in a fresh process; returns ms, and the whole process's wall time. */
function timeImport(bundle: string, handler: string | undefined): { importMs: number; wallMs: number } {
  const check = handler === undefined ? '' : `if (typeof m[${JSON.stringify(handler)}] !== 'function') { process.exit(3); }`;
  const script =
    `const t0 = process.hrtime.bigint(); const m = require(${JSON.stringify(bundle)});` +
    `const t1 = process.hrtime.bigint(); ${check}` +
    `process.stdout.write(JSON.stringify({ importMs: Number(t1 - t0) / 1e6 }));`;
  const started = process.hrtime.bigint();
  // A clean environment: no loader hooks or options inherited from this (tsx) process.
  const child = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`importing ${handler} failed (${child.status}): ${child.stderr}`);
  return { importMs: (JSON.parse(child.stdout) as { importMs: number }).importMs, wallMs };
}

function importNote(f: FunctionFigures, dependencies: ReadonlyArray<{ name: string; usedBy: string; importMs: number }>): string {
  const over = `over by ${round(f.importMs.median - COLD_START_TARGETS.importMs, 1)} ms`;
  if (f.name !== 'webhook') return `${over}; the same bundle as the webhook function — see coldstart.webhook.import for why and what would close it`;
  const by = (prefix: string): number => dependencies.find((d) => d.name.startsWith(prefix))?.importMs ?? Number.NaN;
  return (
    `${over}. Why: all three handlers live in one module, so each function loads every client at import. Imported alone (they share code, ` +
    `so these overlap): ${dependencies.map((d) => `${d.name} ${d.importMs} ms — ${d.usedBy}`).join('; ')}. ` +
    'What would close it: the AWS SDK clients and zod are built on every first invocation anyway, so deferring them only moves the time; ' +
    `but the webhook function never calls Genesys, Zoom/RingCentral REST or Graph, so a per-function entry point and bundle (serverless package.individually) ` +
    `or lazily built REST clients would spare it axios (~${by('axios')} ms) and the Microsoft clients (~${by('@azure')} ms); reading secrets through ` +
    `Lambda's Parameters and Secrets extension or at deploy time would drop the SSM client from the AWS SDK share (~${by('AWS')} ms for three clients). ` +
    'Lambda arm64 at 512 MB (≈ a third of a vCPU) is slower than this machine: measure there before deciding.'
  );
}

export async function runColdStart(report: BenchReport, options: ColdStartOptions, log: (line: string) => void): Promise<void> {
  const dir = makeTempDir('lambda');
  try {
    const root = path.join(__dirname, '..');
    const outfile = path.join(dir, 'src', 'lambda.js');
    const started = process.hrtime.bigint();
    // serverless.yml → custom.esbuild; serverless-esbuild adds outdir/entryPoints per handler and cjs output.
    const result = await build({
      absWorkingDir: root,
      entryPoints: ['src/lambda.ts'],
      outfile,
      bundle: true,
      minify: true,
      sourcemap: false,
      target: 'node22',
      platform: 'node',
      format: 'cjs',
      external: [],
      metafile: true,
      logLevel: 'silent',
    });
    const buildMs = Number(process.hrtime.bigint() - started) / 1e6;
    const bundle = fs.readFileSync(outfile);
    const zip = buildZip([{ name: 'src/lambda.js', data: bundle }]);
    fs.writeFileSync(path.join(dir, 'presence-bridge.zip'), zip);
    const inputs = largestInputs(result.metafile, outfile).slice(0, 8);
    log(`  bundle ${formatBytes(bundle.length)}, zipped ${formatBytes(zip.length)} (esbuild ${round(buildMs, 0)} ms)`);

    const baseline = Array.from({ length: options.runs }, () => {
      const started = process.hrtime.bigint();
      spawnSync(process.execPath, ['-e', ''], { env: { PATH: process.env.PATH ?? '' } });
      return Number(process.hrtime.bigint() - started) / 1e6;
    });
    const dependencies: Array<{ name: string; usedBy: string; bundleBytes: number; importMs: number }> = [];
    for (const group of DEPENDENCY_GROUPS) {
      const file = path.join(dir, `dependency-${dependencies.length}.js`);
      await build({
        absWorkingDir: root,
        stdin: { contents: group.source, resolveDir: root, sourcefile: 'dependency.ts', loader: 'ts' },
        outfile: file,
        bundle: true,
        minify: true,
        target: 'node22',
        platform: 'node',
        format: 'cjs',
        logLevel: 'silent',
      });
      const runs = Array.from({ length: 3 }, () => timeImport(file, undefined).importMs);
      dependencies.push({ name: group.name, usedBy: group.usedBy, bundleBytes: fs.statSync(file).size, importMs: round(median(runs), 1) });
    }
    log(`  dependencies alone: ${dependencies.map((d) => `${d.name} ${d.importMs} ms`).join(', ')}`);

    const functions: FunctionFigures[] = FUNCTIONS.map((name) => {
      timeImport(outfile, name); // not counted: the first read of a new file
      const runs = Array.from({ length: options.runs }, () => timeImport(outfile, name));
      const importRuns = runs.map((run) => round(run.importMs, 1));
      const figures: FunctionFigures = {
        name,
        handler: `src/lambda.${name}`,
        bundleBytes: bundle.length,
        zippedBytes: zip.length,
        importMs: { median: round(median(importRuns), 1), min: Math.min(...importRuns), max: Math.max(...importRuns), runs: importRuns },
        processWallMs: round(median(runs.map((run) => run.wallMs)), 1),
      };
      log(`  ${name}: import median ${figures.importMs.median} ms (runs ${importRuns.join(', ')})`);
      return figures;
    });

    report.setFigures('coldStart', {
      method:
        'esbuild with serverless.yml custom.esbuild (bundle, minify, no source map, platform node, target node22, nothing external, cjs); ' +
        'zip = DEFLATE level 9 of src/lambda.js; import = require(bundle)[handler] in a fresh node process with a clean environment, ' +
        `median of ${options.runs}`,
      node: process.version,
      esbuildMs: round(buildMs, 0),
      sharedArtifact:
        'all three handlers are exports of src/lambda.ts and serverless.yml does not set package.individually, so the functions share one zip',
      largestContributors: inputs.map(({ input, bytes }) => ({ input, bytes, share: round(bytes / bundle.length, 3) })),
      dependenciesImportedAlone: dependencies,
      bareNodeProcessMs: round(median(baseline), 1),
      functions,
    });

    const rows: Row[] = [
      ['artifact', `src/lambda.js ${formatBytes(bundle.length)} minified → ${formatBytes(zip.length)} zipped (one artifact for all three functions)`],
      ['largest contributors', inputs.slice(0, 5).map(({ input, bytes }) => `${input} ${formatBytes(bytes)}`).join(', ')],
    ];
    for (const f of functions) {
      rows.push([
        `${f.name} (${f.handler})`,
        `zipped ${formatBytes(f.zippedBytes)}; import median ${f.importMs.median} ms (min ${f.importMs.min}, max ${f.importMs.max}); whole process ${f.processWallMs} ms`,
      ]);
    }
    rows.push(['bare `node -e ""` process', `${round(median(baseline), 1)} ms (for scale)`]);
    rows.push(['dependencies imported alone', dependencies.map((d) => `${d.name} ${d.importMs} ms`).join('; ')]);
    report.addSection(`3. Lambda cold start (Node ${process.version} here; Lambda runs nodejs22.x on arm64 with 512 MB)`, rows);

    for (const f of functions) {
      const zipOk = f.zippedBytes < COLD_START_TARGETS.zippedBytes;
      report.addTarget({
        id: `coldstart.${f.name}.zip`,
        benchmark: 'cold-start',
        description: `${f.name}: deployment package size, zipped`,
        target: '< 1 MiB zipped',
        actual: formatBytes(f.zippedBytes),
        verdict: zipOk ? 'met' : 'missed',
        note: zipOk ? undefined : `over by ${formatBytes(f.zippedBytes - COLD_START_TARGETS.zippedBytes)}; largest: ${inputs[0]?.input}`,
      });
      const importOk = f.importMs.median < COLD_START_TARGETS.importMs;
      report.addTarget({
        id: `coldstart.${f.name}.import`,
        benchmark: 'cold-start',
        description: `${f.name}: time to import the handler module in a fresh Node process`,
        target: '< 150 ms',
        actual: `${f.importMs.median} ms (median of ${options.runs})`,
        verdict: importOk ? 'met' : 'missed',
        note: importOk ? undefined : importNote(f, dependencies),
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Benchmark 3 — Lambda cold start, per function. Each function has its own entry point
 * (src/lambda/<name>.ts) and its own artifact (serverless.yml `package.individually`), bundled the way
 * serverless-esbuild does it (bundle, minify, no source map, platform node, target node22, nothing
 * external: the AWS SDK v3 is bundled, cjs) and zipped (DEFLATE level 9). For each function, side by
 * side in one run and each as a ratio to a bare `node -e ""` process timed in the same run:
 * - **module load**: a fresh `node` process that `require()`s the bundle and reads its handler, spawn to exit;
 * - **cold invocation**: a fresh process that loads the bundle, runs the cold start (configuration, its
 *   SSM parameters through the Parameters and Secrets Lambda Extension stand-in, clients) and handles one
 *   event against local stand-ins (cold-invocation.ts), spawn to answer.
 * Plus the two ways of reading secrets at the webhook's cold start: the extension versus the SDK's
 * GetParameters (issue "secrets without the SSM SDK client on the cold path").
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { makeTempDir } from './bridge-harness';
import { startColdStandIns, type ColdInvocation } from './cold-invocation';
import type { BenchReport, Row } from './results';
import { formatBytes, median, round } from './stats';
import { buildZip } from './zip';

const FUNCTIONS = ['webhook', 'worker', 'maintainer', 'status'] as const;
type FunctionName = (typeof FUNCTIONS)[number];

/** The targets (ratios to a bare node process measured in the same run). */
export const COLD_START_TARGETS = {
  zippedBytes: 1024 * 1024,
  webhookZippedBytes: 300 * 1024,
  webhookLoadRatio: 4,
  webhookColdRatio: 6,
  otherColdRatio: 8,
} as const;

export interface ColdStartOptions {
  /** Fresh processes per measurement; the median is reported. */
  readonly runs: number;
}

interface Timing {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly ratio: number;
}

interface FunctionFigures {
  readonly name: FunctionName;
  readonly handler: string;
  readonly bundleBytes: number;
  readonly zippedBytes: number;
  readonly largestContributors: Array<{ input: string; bytes: number }>;
  readonly moduleLoadMs: Timing & { readonly requireMs: number };
  readonly coldInvocationMs: Timing;
}

/** Bytes in the bundle per npm package (or `src/` for our own code), largest first. */
function largestInputs(metafile: Metafile): Array<{ input: string; bytes: number }> {
  const output = Object.values(metafile.outputs)[0];
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = match ? match[1]! : input.startsWith('src/') ? 'src/ (the bridge)' : input;
    byPackage.set(key, (byPackage.get(key) ?? 0) + bytesInOutput);
  }
  return [...byPackage.entries()].map(([input, bytes]) => ({ input, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/** A fresh process that loads the bundle and reads its handler: spawn → exit, and the require() inside. */
function timeModuleLoad(bundle: string): { wallMs: number; requireMs: number } {
  const script =
    `const t0 = process.hrtime.bigint(); const h = require(${JSON.stringify(bundle)}).handler;` +
    `if (typeof h !== 'function') process.exit(3); process.stdout.write(String(Number(process.hrtime.bigint() - t0) / 1e6));`;
  const started = process.hrtime.bigint();
  // A clean environment: no loader hooks or options inherited from this (tsx) process.
  const child = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH ?? '', AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (child.status !== 0) throw new Error(`loading ${bundle} failed (${child.status}): ${child.stderr}`);
  return { wallMs, requireMs: Number(child.stdout) };
}

function timeBareNode(): number {
  const started = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', ''], { env: { PATH: process.env.PATH ?? '' } });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function timing(samples: number[], bareMs: number): Timing {
  const m = median(samples);
  return { median: round(m, 1), min: round(Math.min(...samples), 1), max: round(Math.max(...samples), 1), ratio: round(m / bareMs, 2) };
}

export async function runColdStart(report: BenchReport, options: ColdStartOptions, log: (line: string) => void): Promise<void> {
  const dir = makeTempDir('lambda');
  const standIns = await startColdStandIns();
  try {
    const root = path.join(__dirname, '..');
    const bundles = new Map<FunctionName, { file: string; bytes: number; zipped: number; inputs: Array<{ input: string; bytes: number }> }>();
    for (const name of FUNCTIONS) {
      const entry = `src/lambda/${name}.js`;
      const file = path.join(dir, name, entry);
      // serverless.yml → custom.esbuild; serverless-esbuild adds the entry point per function and cjs output.
      const result = await build({
        absWorkingDir: root,
        entryPoints: [`src/lambda/${name}.ts`],
        outfile: file,
        bundle: true,
        minify: true,
        sourcemap: false,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        format: 'cjs',
        external: [],
        metafile: true,
        logLevel: 'silent',
      });
      const data = fs.readFileSync(file);
      const zip = buildZip([{ name: entry, data }]);
      bundles.set(name, { file, bytes: data.length, zipped: zip.length, inputs: largestInputs(result.metafile).slice(0, 8) });
      log(`  ${name}: bundle ${formatBytes(data.length)}, zipped ${formatBytes(zip.length)}`);
    }

    // The webhook as it would be with the SDK path for secrets (GetParameters) instead of the extension:
    // the same entry point plus src/lambda/sdk-secrets.ts, which the other functions carry.
    const sdkVariant = path.join(dir, 'webhook-sdk', 'src/lambda/webhook.js');
    await build({
      absWorkingDir: root,
      stdin: {
        contents: `import './src/lambda/sdk-secrets'; export * from './src/lambda/webhook';`,
        resolveDir: root,
        sourcefile: 'webhook-sdk.ts',
        loader: 'ts',
      },
      outfile: sdkVariant,
      bundle: true,
      minify: true,
      target: 'node22',
      platform: 'node',
      mainFields: ['module', 'main'],
      format: 'cjs',
      logLevel: 'silent',
    });
    const sdkVariantZipped = buildZip([{ name: 'src/lambda/webhook.js', data: fs.readFileSync(sdkVariant) }]).length;

    // Interleaved, so background load on this shared machine weighs on every figure alike.
    const bare: number[] = [];
    const loads = new Map<FunctionName, Array<{ wallMs: number; requireMs: number }>>(FUNCTIONS.map((name) => [name, []]));
    const colds = new Map<FunctionName, ColdInvocation[]>(FUNCTIONS.map((name) => [name, []]));
    const webhookSdk: ColdInvocation[] = [];
    for (const name of FUNCTIONS) timeModuleLoad(bundles.get(name)!.file); // not counted: the first read of a new file
    for (let run = 0; run < options.runs; run++) {
      bare.push(timeBareNode());
      for (const name of FUNCTIONS) {
        loads.get(name)!.push(timeModuleLoad(bundles.get(name)!.file));
        // The worker takes the key the webhook just enqueued.
        colds.get(name)!.push(await standIns.invoke(name, bundles.get(name)!.file));
      }
      webhookSdk.push(await standIns.invoke('webhook', sdkVariant, 'sdk'));
      await standIns.invoke('worker', bundles.get('worker')!.file);
    }
    const bareMs = median(bare);
    log(`  bare node process ${round(bareMs, 1)} ms (median of ${options.runs})`);

    const functions: FunctionFigures[] = FUNCTIONS.map((name) => {
      const b = bundles.get(name)!;
      const load = loads.get(name)!;
      const figures: FunctionFigures = {
        name,
        handler: `src/lambda/${name}.handler`,
        bundleBytes: b.bytes,
        zippedBytes: b.zipped,
        largestContributors: b.inputs,
        moduleLoadMs: {
          ...timing(
            load.map((l) => l.wallMs),
            bareMs,
          ),
          requireMs: round(median(load.map((l) => l.requireMs)), 1),
        },
        coldInvocationMs: timing(
          colds.get(name)!.map((c) => c.wallMs),
          bareMs,
        ),
      };
      log(
        `  ${name}: module load ${figures.moduleLoadMs.median} ms (${figures.moduleLoadMs.ratio} × bare), ` +
          `cold invocation ${figures.coldInvocationMs.median} ms (${figures.coldInvocationMs.ratio} × bare)`,
      );
      return figures;
    });
    const webhook = functions[0]!;
    const sdk = timing(
      webhookSdk.map((c) => c.wallMs),
      bareMs,
    );
    log(`  webhook secrets via the SDK's GetParameters: cold invocation ${sdk.median} ms (${sdk.ratio} × bare)`);

    report.setFigures('coldStart', {
      method:
        'per function: esbuild of src/lambda/<name>.ts with serverless.yml custom.esbuild (bundle, minify, no source map, platform node, ES module builds first, ' +
        'target node22, nothing external, cjs); zip = DEFLATE level 9; module load = a fresh node process require()ing the bundle and reading `handler`, spawn to exit; ' +
        'cold invocation = a fresh node process loading the bundle and handling one event (webhook: a signed Zoom event; worker: the key it enqueued; ' +
        'maintainer: a scheduled run; status: GET /status.json) against dynalite, an SQS stand-in, the Parameters and Secrets Lambda Extension stand-in ' +
        `over an SSM stand-in, and the Genesys sandbox on 127.0.0.1, spawn to answer; medians of ${options.runs}, interleaved with bare \`node -e ""\` processes`,
      node: process.version,
      bareNodeProcessMs: round(bareMs, 1),
      functions,
      webhookSecrets: {
        extension: webhook.coldInvocationMs,
        sdkGetParameters: { ...sdk, zippedBytes: sdkVariantZipped },
        note: 'the same webhook entry point and event; the SDK variant adds src/lambda/sdk-secrets.ts (the SSM client) and reads its 8 parameters with one GetParameters',
      },
    });

    const rows: Row[] = [['bare `node -e ""` process', `${round(bareMs, 1)} ms (median of ${options.runs}; the unit of every ratio below)`]];
    for (const f of functions) {
      rows.push([
        `${f.name} (${f.handler})`,
        `zipped ${formatBytes(f.zippedBytes)} (${formatBytes(f.bundleBytes)} minified); module load ${f.moduleLoadMs.median} ms = ${f.moduleLoadMs.ratio} × ` +
          `(require ${f.moduleLoadMs.requireMs} ms); cold invocation ${f.coldInvocationMs.median} ms = ${f.coldInvocationMs.ratio} ×`,
      ]);
      rows.push([
        `  largest in ${f.name}`,
        f.largestContributors
          .slice(0, 5)
          .map(({ input, bytes }) => `${input} ${formatBytes(bytes)}`)
          .join(', '),
      ]);
    }
    rows.push([
      'webhook secrets: extension vs SDK',
      `cold invocation ${webhook.coldInvocationMs.median} ms (${webhook.coldInvocationMs.ratio} ×), zipped ${formatBytes(webhook.zippedBytes)} through the extension; ` +
        `${sdk.median} ms (${sdk.ratio} ×), zipped ${formatBytes(sdkVariantZipped)} with the SDK's GetParameters`,
    ]);
    report.addSection(`3. Lambda cold start per function (Node ${process.version} here; Lambda runs nodejs22.x on arm64 with 512 MB)`, rows);

    for (const f of functions) {
      const limit = f.name === 'webhook' ? COLD_START_TARGETS.webhookZippedBytes : COLD_START_TARGETS.zippedBytes;
      report.addTarget({
        id: `coldstart.${f.name}.zip`,
        benchmark: 'cold-start',
        description: `${f.name}: deployment package size, zipped`,
        target: `≤ ${formatBytes(limit)} zipped`,
        actual: formatBytes(f.zippedBytes),
        verdict: f.zippedBytes <= limit ? 'met' : 'missed',
        note:
          f.zippedBytes <= limit
            ? undefined
            : `over by ${formatBytes(f.zippedBytes - limit)}; largest: ${f.largestContributors
                .slice(0, 4)
                .map(({ input, bytes }) => `${input} ${formatBytes(bytes)}`)
                .join(', ')}`,
      });
    }
    report.addTarget({
      id: 'coldstart.webhook.load',
      benchmark: 'cold-start',
      description: 'webhook: a fresh process loading its handler module, as a multiple of a bare node process',
      target: `≤ ${COLD_START_TARGETS.webhookLoadRatio} ×`,
      actual: `${webhook.moduleLoadMs.ratio} × (${webhook.moduleLoadMs.median} ms vs ${round(bareMs, 1)} ms)`,
      verdict: webhook.moduleLoadMs.ratio <= COLD_START_TARGETS.webhookLoadRatio ? 'met' : 'missed',
      note: `over by ${round(webhook.moduleLoadMs.ratio - COLD_START_TARGETS.webhookLoadRatio, 2)} ×; largest in the bundle: ${webhook.largestContributors
        .slice(0, 4)
        .map(({ input, bytes }) => `${input} ${formatBytes(bytes)}`)
        .join(', ')}`,
    });
    for (const f of functions) {
      const limit = f.name === 'webhook' ? COLD_START_TARGETS.webhookColdRatio : f.name === 'status' ? undefined : COLD_START_TARGETS.otherColdRatio;
      if (limit === undefined) continue;
      report.addTarget({
        id: `coldstart.${f.name}.cold`,
        benchmark: 'cold-start',
        description: `${f.name}: full cold invocation (fresh process → answer, local stand-ins), as a multiple of a bare node process`,
        target: `≤ ${limit} ×`,
        actual: `${f.coldInvocationMs.ratio} × (${f.coldInvocationMs.median} ms)`,
        verdict: f.coldInvocationMs.ratio <= limit ? 'met' : 'missed',
        note: `over by ${round(f.coldInvocationMs.ratio - limit, 2)} ×; module load alone is ${f.moduleLoadMs.ratio} ×`,
      });
    }
  } finally {
    await standIns.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * scripts/unused-options.ts, the lint check that every option has a caller: run on a tiny project, it reports
 * an option nobody sets, tells one only a test sets apart, ignores commander's parsed options, and `--check`
 * fails on an unlisted option and on a stale allowance.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkUnusedOptions, findUnusedOptions } from '../../scripts/unused-options';

function writeProject(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'unused-options-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('findUnusedOptions', () => {
  let root: string;
  beforeAll(() => {
    root = writeProject({
      'tsconfig.json': JSON.stringify({ compilerOptions: { strict: true, target: 'ES2022', module: 'commonjs', types: [] }, include: ['src', 'test'] }),
      'src/widget.ts': [
        'export interface WidgetOptions { readonly size?: number; readonly color?: string; readonly debugOnly?: boolean }',
        'export function makeWidget(options: WidgetOptions = {}): string { return `${options.size}${options.color}${options.debugOnly}`; }',
        'interface Command { action(fn: (...args: never[]) => void): void }',
        'export function register(program: Command): void { program.action((options: { json?: boolean }) => void options.json); }',
      ].join('\n'),
      'src/app.ts': "import { makeWidget } from './widget';\nmakeWidget({ size: 2 });\n",
      'test/widget.test.ts': "import { makeWidget } from '../src/widget';\nmakeWidget({ debugOnly: true });\n",
    });
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('reports the option no caller sets, and the one only a test sets, but not what commander fills from argv', () => {
    expect(findUnusedOptions(root)).toEqual({ never: ['src/widget.ts: WidgetOptions.color'], testsOnly: ['src/widget.ts: WidgetOptions.debugOnly'] });
  });
});

describe('checkUnusedOptions', () => {
  const reason = 'why it stays';

  it('passes when every reported option is allowed with a reason', () => {
    expect(checkUnusedOptions(['a: X.y'], [{ option: 'a: X.y', reason }])).toEqual({ unlisted: [], stale: [] });
  });

  it('fails on an option nobody sets that is not allowed', () => {
    expect(checkUnusedOptions(['a: X.y', 'b: Z.w'], [{ option: 'a: X.y', reason }]).unlisted).toEqual(['b: Z.w']);
  });

  it('fails on an allowance for an option that is no longer reported', () => {
    expect(checkUnusedOptions([], [{ option: 'a: X.y', reason }]).stale).toEqual(['a: X.y']);
  });
});

/**
 * Reads the README's "Quick start" section as a script: its `bash` blocks are the commands a newcomer
 * types, and a plain fenced block right after a `bash` block is what that block's last command prints.
 * test/e2e/quickstart.test.ts runs exactly these, so the README cannot drift from what the bridge does.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface QuickStartStep {
  /** The `###` heading the step is under ("" before the first one). */
  readonly heading: string;
  readonly commands: readonly string[];
  /** What the last command prints, as shown in the README. */
  readonly expectedOutput?: string;
}

export const README_PATH = path.join(__dirname, '../../README.md');

/** The text of the `## Quick start …` section, up to the next `## ` heading. */
export function quickStartSection(readme = fs.readFileSync(README_PATH, 'utf8')): string {
  const start = readme.search(/^## Quick start/m);
  if (start < 0) throw new Error('README.md has no "## Quick start" section');
  const rest = readme.slice(start + 1);
  const end = rest.search(/^## /m);
  return end < 0 ? rest : rest.slice(0, end);
}

/** The steps of the section, in order. */
export function quickStartSteps(section: string): QuickStartStep[] {
  const steps: QuickStartStep[] = [];
  let heading = '';
  const lines = section.split('\n');
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i];
    const title = /^### (.+)$/.exec(line);
    if (title) heading = title[1].trim();
    const fence = /^```(\w*)\s*$/.exec(line);
    if (!fence) continue;
    const body: string[] = [];
    for (i += 1; i < lines.length && !/^```\s*$/.test(lines[i]); i += 1) body.push(lines[i]);
    if (fence[1] === 'bash') {
      steps.push({ heading, commands: body.map((text) => text.trim()).filter((text) => text !== '' && !text.startsWith('#')) });
    } else if (fence[1] === '' && steps.length > 0 && steps[steps.length - 1].expectedOutput === undefined) {
      const last = steps.pop()!;
      steps.push({ ...last, expectedOutput: body.join('\n') });
    }
  }
  return steps;
}

/** Output compared as the README shows it: trailing spaces and blank lines at the ends do not count. */
export function normalizeOutput(text: string): string {
  return text
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trim();
}

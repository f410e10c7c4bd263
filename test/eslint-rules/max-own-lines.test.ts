/**
 * local/max-own-lines (eslint-rules/max-own-lines.cjs): counts a function's own code lines — blank
 * lines, comments and the bodies of nested functions excluded — and reports it above `max`.
 */
import { RuleTester, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';

const rule = require('../../eslint-rules/max-own-lines.cjs') as Rule.RuleModule;

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2022, sourceType: 'module' } });

/** `count` statement lines, one per line. */
const statements = (count: number, indent = '  '): string => Array.from({ length: count }, (_, index) => `${indent}const v${index} = ${index};`).join('\n');

tester.run('max-own-lines', rule, {
  valid: [
    // Header, 3 statements and the closing brace: 5 lines of its own.
    { code: `function short() {\n${statements(3)}\n}`, options: [{ max: 5 }] },
    // Blank lines and comments, line and block, are not code.
    {
      code: `function commented(): void {\n  // why\n\n  /*\n   * more why\n   */\n${statements(3)}\n\n}`,
      options: [{ max: 5 }],
    },
    // A nested function's body counts for the nested function only: the outer one has 5 lines
    // (header, `const handler = () => {`, `};`, `return handler;`, `}`), the handler 5 (its
    // first and last line are shared with the outer one).
    {
      code: `function outer() {\n  const handler = () => {\n${statements(3, '    ')}\n  };\n  return handler;\n}`,
      options: [{ max: 5 }],
    },
    // Callbacks passed inline: only the call's own lines count for the caller.
    {
      code: `export async function caller(items: number[]): Promise<number[]> {\n  return items.map((item) => {\n${statements(1, '    ')}\n    return item;\n  });\n}`,
      options: [{ max: 4 }],
    },
    // Class methods and object methods are functions too, each counted for itself.
    { code: `class Service {\n  run(): void {\n${statements(3, '    ')}\n  }\n}`, options: [{ max: 5 }] },
    // The default maximum is 80.
    { code: `function eighty() {\n${statements(78)}\n}` },
  ],
  invalid: [
    {
      code: `function long() {\n${statements(4)}\n}`,
      options: [{ max: 5 }],
      errors: [{ messageId: 'tooLong', data: { name: 'function long', count: '6', max: '5' }, line: 1, column: 1 }],
    },
    {
      code: `function eightyOne() {\n${statements(79)}\n}`,
      errors: [{ messageId: 'tooLong', data: { name: 'function eightyOne', count: '81', max: '80' } }],
    },
    // The nested function is too long on its own; its parent, 5 lines, is not.
    {
      code: `function outer() {\n  const handler = () => {\n${statements(6, '    ')}\n  };\n  return handler;\n}`,
      options: [{ max: 6 }],
      errors: [{ messageId: 'tooLong', data: { name: 'function handler', count: '8', max: '6' }, line: 2 }],
    },
    // Lines the outer function shares with a nested one (the header of an inline callback) stay its own.
    {
      code: `const run = async (): Promise<void> => {\n${statements(3)}\n  await Promise.all([1].map(async (n) => {\n    return n;\n  }));\n}`,
      options: [{ max: 5 }],
      errors: [{ messageId: 'tooLong', data: { name: 'function run', count: '7', max: '5' } }],
    },
    // A multi-line template literal is code on every line it spans.
    {
      code: 'class Page {\n  render(): string {\n    return `\n<p>\n</p>\n`;\n  }\n}',
      options: [{ max: 5 }],
      errors: [{ messageId: 'tooLong', data: { name: 'method render', count: '6', max: '5' } }],
    },
  ],
});

// ESLint flat config: ESLint's and typescript-eslint's recommended rules (not type-aware: the type-aware
// run takes about four times as long on the CI machine and found nothing more), plus the project's own
// rule that keeps procedures short (eslint-rules/max-own-lines.cjs). Formatting is Prettier's job.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import maxOwnLines from './eslint-rules/max-own-lines.cjs';

/** Lines of its own a function in src/ may have (nested function bodies not counted). */
const MAX_OWN_LINES = 80;

export default tseslint.config(
  {
    ignores: ['node_modules/', 'bench/node_modules/', 'dist/', 'coverage/', '.serverless/', '.esbuild/', '.data/', 'bench/tmp/', 'test/fixtures/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: 'module',
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_name` marks a parameter or binding kept for its position (callbacks, destructuring).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      // A `let` read by a closure before its one assignment (a test changing what a stub returns) stays a `let`.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { local: { rules: { 'max-own-lines': maxOwnLines } } },
    rules: {
      'local/max-own-lines': ['error', { max: MAX_OWN_LINES }],
      // The service logs through its logger (src/logger.ts): one JSON line per event, with a level.
      'no-console': 'error',
    },
  },
  {
    // Tests load modules fresh (jest.isolateModules) and untyped packages with require(); so do the
    // benchmarks for optional packages; bin/ and the Jest config are CommonJS.
    files: ['test/**/*.ts', 'bench/**/*.ts', '**/*.js', '**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
  },
);

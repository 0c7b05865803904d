// The project's own lint (npm run lint). typescript-eslint's recommended rules, type-aware only
// where cheap (no-floating-promises, await-thenable), plus a few stylistic basics that the existing
// code already follows. Formatting is checked by .editorconfig-level rules here rather than a
// whole-repo Prettier pass: see docs/design.md ("Linting the project").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'src/pg/catalog.generated.ts', 'bench/**', 'fixtures/**', 'scripts/**', 'schema/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      // A migration linter matches NUL, ESC and other control characters on purpose.
      'no-control-regex': 'off',
      'no-lone-blocks': 'error',
      eqeqeq: ['error', 'always'],
      'no-var': 'error',
      'prefer-const': 'error',
      // Style basics the formatter would otherwise own (see docs/design.md).
      'no-trailing-spaces': 'error',
      'eol-last': 'error',
      'no-multiple-empty-lines': ['error', { max: 1 }],
      semi: ['error', 'always'],
    },
  },
  {
    // The CLI's CommonJS bootstrap (loads the bundle with its V8 code cache).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly', Buffer: 'readonly', console: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Branch `trace` is rewriting these files; its leftovers are not fixed here to avoid conflicts.
    files: ['src/trace/**'],
    rules: { 'no-useless-assignment': 'off' },
  },
);

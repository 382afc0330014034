// ESLint flat config: typescript-eslint's recommended rules over the TypeScript tree.
// `any` is an error in engine/ and main/ (docs/CONVENTIONS.md).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', '.cache/**', 'test/e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['engine/**/*.ts', 'main/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'error' },
  },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'var/', 'coverage/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', {
        paths: [
          { name: 'intuit-oauth', message: 'Only src/quickbooks/ may import intuit-oauth.' },
          { name: 'node-quickbooks', message: 'Only src/quickbooks/ may import node-quickbooks.' },
        ],
      }],
    },
  },
  { files: ['src/quickbooks/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['test/**', 'bench/**'], rules: { 'no-restricted-imports': 'off' } },
  { files: ['views/public/**/*.js'], languageOptions: { sourceType: 'script', globals: { document: 'readonly', window: 'readonly' } } },
  { files: ['**/*.js', '**/*.cjs', 'bin/*'], ignores: ['views/public/**'], languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly', setTimeout: 'readonly' } }, rules: { '@typescript-eslint/no-require-imports': 'off' } },
);

import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';

// Top-level folders are modules with one public door (index.ts): reaching into another
// module's files is a deep import and is refused.
const MODULES = [
  'schemas',
  'bus',
  'actors',
  'supervisor',
  'gpu-edge',
  'sim',
  'stores',
  'dashboards',
  'cli',
  'bench',
  'testkit',
  'config',
  'security',
  'mission',
];
const deepImportBans = MODULES.map((m) => ({
  group: [`**/${m}/*`, `!**/${m}/index.js`],
  message: `import from '${m}/index.js' (the module's public door), not its files`,
}));

export default tseslint.config(
  { ignores: ['node_modules/', '.infra/', 'dist/', 'coverage/', 'schemas/json/', 'bin/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      'import-x/no-cycle': 'error',
      'max-lines': ['error', { max: 600, skipBlankLines: true, skipComments: true }],
      'no-console': 'error',
    },
  },
  ...MODULES.map((m) => ({
    files: [`${m}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: deepImportBans.filter((b) => !b.group[0].startsWith(`**/${m}/`)) },
      ],
    },
  })),
  {
    files: ['tests/**/*.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: deepImportBans }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
    },
  },
  {
    files: ['cli/**/*.ts', 'bench/**/*.ts', 'scripts/**/*'],
    rules: { 'no-console': 'off' },
  },
  { files: ['**/*.mjs', '**/*.js'], ...tseslint.configs.disableTypeChecked }
);

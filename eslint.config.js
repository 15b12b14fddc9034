// Lint configuration. Type-aware rules everywhere; on top, the determinism fence of
// CONTRIBUTING.md#8-workflow-code-is-deterministic: workflow code and workflows/lib (which runs inside the Temporal
// sandbox) may not import Node built-ins or I/O libraries.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_'));

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', 'dist/**', 'coverage/**', 'bench/.out/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['workflows/**/*.ts'],
    ignores: ['workflows/activities/**', 'workflows/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: nodeBuiltins.map((name) => ({
            name,
            message:
              'Workflow code runs in the Temporal sandbox: no Node built-ins (CONTRIBUTING.md#8-workflow-code-is-deterministic). Do I/O in workflows/activities/.',
          })),
          patterns: [
            {
              group: ['node:*'],
              message:
                'Workflow code runs in the Temporal sandbox: no Node built-ins (CONTRIBUTING.md#8-workflow-code-is-deterministic).',
            },
            {
              group: ['**/controller/**', '**/activities/*', '!**/activities/*.types*'],
              message: 'Workflow code may import only @temporalio/workflow, workflows/lib and activity types.',
            },
          ],
        },
      ],
    },
  },
);

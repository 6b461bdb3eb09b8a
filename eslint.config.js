// ESLint 9 flat config (issue 10 §6). Type-aware rules from typescript-eslint, no import cycles, and the
// layering of DESIGN.md §2 as import bans: arrows point down only (web/http → services/engine → store →
// leaf modules), and workflows/ stays free of I/O (Temporal-style) so a replayed machine behaves as it did.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';
import globals from 'globals';

/** Node's built-in modules without the `node:` prefix (`fs`, `crypto`); the prefixed ones are banned by pattern. */
const NODE_BUILTINS = builtinModules.filter((m) => !m.startsWith('_') && !m.startsWith('node:'));

/** Database and HTTP drivers: only the store talks to the database, only http/ and web/ to the wire. */
const IO_PACKAGES = ['knex', 'express', 'pg', 'sqlite3'];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'coverage/',
      'test-output/',
      'data/',
      'scratch/',
      '.vitest-reports/',
      'docs/',
      'src/generated/', // written by `npm run generate` from schemas/
    ],
  },

  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        // vitest.db.config.ts is outside tsconfig's include; typed with default options until it joins it.
        projectService: { allowDefaultProject: ['vitest.db.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },

  {
    rules: {
      // The house marks deliberately unused bindings with a leading underscore (`{ hash: _ignored, ...rest }`).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // An async function without await still turns a throw into a rejection and fits Promise-returning interfaces (knex's migration source).
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['tests/**/*.ts'],
    rules: {
      // supertest's `res.body` is `any` by design; each access is what the assertion checks, and casting it first catches nothing.
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // Tests read untyped JSON answers and generated values: an explicit `any` or an assertion on them states what the test expects.
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // Hostile suites stringify generated values on purpose ('[object Object]' is a valid hostile input).
      '@typescript-eslint/no-base-to-string': 'off',
    },
  },

  // Plain JavaScript (bin/, tools/, this file, the browser script) is outside tsconfig's program.
  { files: ['**/*.js', '**/*.mjs', '**/*.cjs'], ...tseslint.configs.disableTypeChecked },
  { files: ['src/web/assets/**/*.js'], languageOptions: { sourceType: 'script', globals: { ...globals.browser } } },

  // Imports: no cycles anywhere (DESIGN §2).
  {
    plugins: { 'import-x': importX },
    settings: {
      // Without these import-x skips .ts dependencies when it follows imports, and no-cycle sees nothing.
      'import-x/extensions': ['.ts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/external-module-folders': ['node_modules', 'node_modules/@types'],
      'import-x/resolver-next': [
        // Sources import siblings as './x.js' (NodeNext); the file on disk is x.ts.
        createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } }),
      ],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: './src/store', from: ['./src/engine', './src/http', './src/web'], message: 'The store is below the engine, http and web (DESIGN §2).' },
            { target: './src/engine', from: ['./src/http', './src/web'], message: 'The engine is below http and web (DESIGN §2).' },
            { target: './workflows', from: ['./src/store', './src/http', './src/web'], message: 'Workflows are pure machines: no I/O (STYLE: Temporal).' },
          ],
        },
      ],
    },
  },

  // Nothing above the store touches Knex at runtime (issue 10 §4). Type-only imports stay allowed while
  // services still pass `Knex` handles around.
  {
    files: ['src/**/*.ts'],
    ignores: ['src/store/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        { paths: [{ name: 'knex', message: 'Only src/store/ imports knex; call a store function instead.', allowTypeImports: true }] },
      ],
    },
  },

  // Workflows: deterministic and free of I/O (STYLE: Temporal). tests/unit/workflows-purity.test.ts checks the same.
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...IO_PACKAGES.map((name) => ({ name, message: 'Workflows are pure machines: no I/O.' })),
            ...NODE_BUILTINS.map((name) => ({ name, message: 'Workflows are pure machines: no Node built-ins.' })),
          ],
          // src/store, src/http and src/web are banned by the import-x/no-restricted-paths zone above.
          patterns: [{ group: ['node:*'], message: 'Workflows are pure machines: no Node built-ins.' }],
        },
      ],
    },
  },
);

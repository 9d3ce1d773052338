/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    // Transpile only (tsconfig's isolatedModules): `npm test` type-checks with tsc beside jest.
    '^.+\\.tsx?$': 'ts-jest',
  },
  // esbuild's buildSync memoized for the run (the seed code's bundles): test/support/esbuild-cache.ts.
  moduleNameMapper: { '^esbuild$': '<rootDir>/test/support/esbuild-cache.ts' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  // Slowest suites first, also on a fresh clone (test/support/sequencer.js).
  testSequencer: '<rootDir>/test/support/sequencer.js',
  setupFilesAfterEnv: ['<rootDir>/test/support/setup.ts'],
  testTimeout: 60000,
};

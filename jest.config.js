// Jest runs the TypeScript sources directly as ES modules (client-node 1.x is ESM-only).
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: { '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }] },
  roots: ['<rootDir>/test', '<rootDir>/src'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 120000,
  // Tests that start real processes (apiserver, Gatekeeper) are heavy on 2 cores.
  maxWorkers: 2,
  verbose: true,
  // A failed integration test can leave a watch or timer behind; never let that hang CI. Child
  // processes (apiserver, etcd, Gatekeeper) are killed by the harness's exit hook either way.
  forceExit: true,
  reporters: ['default', '<rootDir>/test/helpers/summary-reporter.cjs'],
};

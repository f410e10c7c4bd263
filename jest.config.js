/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // jwks-rsa 4 needs `jose` 6, which is ESM-only and cannot be loaded by jest 29's CommonJS runtime.
  // The shim implements the two functions jwks-rsa calls with node:crypto; production uses real jose.
  moduleNameMapper: { '^jose$': '<rootDir>/test/helpers/jose-shim.ts' },
  // Two cores: one worker per core keeps servers and timers honest.
  maxWorkers: 2,
  testTimeout: 30000,
};

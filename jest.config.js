/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  // Two cores: one worker per core keeps servers and timers honest.
  maxWorkers: 2,
  testTimeout: 30000,
};

/** Tests run against the real Redis on 127.0.0.1:6379 (or REDIS_URL), one file at a time. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testTimeout: 60000,
  // One test abandons a running job on purpose (forced shutdown after the grace period); its promise would
  // otherwise keep jest waiting after the run.
  forceExit: true,
};

// Tests run on the compiled output (npm test builds first): the same JavaScript the `devirt`
// binary runs, with const enums inlined exactly as in production.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 120000,
  // Both cores: the suite takes about 10 minutes instead of 14 on the 2-core CI machine.
  maxWorkers: 2,
};

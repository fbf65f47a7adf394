// Tests run on the compiled output (npm test builds first): the same JavaScript the `devirt`
// binary runs, with const enums inlined exactly as in production.
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/dist/test'],
  testMatch: ['**/*.test.js'],
  testTimeout: 120000,
};

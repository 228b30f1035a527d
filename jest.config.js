/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // `*.mysql.test.ts` hold what only MariaDB/MySQL can show (real deadlocks, triggers): they run in the
  // MariaDB pass (MYSQL_TEST_URL set), which CI always runs, rather than showing as skipped on SQLite.
  testPathIgnorePatterns: process.env.MYSQL_TEST_URL ? ['/node_modules/'] : ['/node_modules/', '\\.mysql\\.test\\.ts$'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  testTimeout: 30000,
  maxWorkers: 2,
};

// `npm run test:corpus`: the tests that read ../shared/ (a corpus beside the repository that a clone does not
// have), kept out of `npm test`; CI runs them as a step of their own. Same settings as package.json's "ava".
export default {
  extensions: ['ts'],
  files: ['test/corpus/**/*.test.ts'],
  timeout: '120s',
  workerThreads: false,
  environmentVariables: { NODE_ENV: 'test', LOG_LEVEL: 'silent' },
};

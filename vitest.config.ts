import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Most files wait on child processes and sockets, not on the CPU: on 2 cores (vitest's
    // default is then 1 worker, one file after another) 4 workers measured best and stay green.
    // test/integration with 2 / 3 / 4 workers: 416 s / 291 s / 233 s on a shared, loaded machine.
    maxWorkers: 4,
  },
});

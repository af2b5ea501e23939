/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: { target: 'es2022', outDir: 'dist' },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    // Dawn on SwiftShader is CPU-bound and one device per file is plenty: a few files at a time
    // keep the machine responsive without starving each other.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    setupFiles: ['test/setup/webgpu-globals.ts'],
    reporters: ['default'],
  },
});

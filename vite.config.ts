/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  build: {
    target: 'es2022',
    outDir: 'dist',
    rolldownOptions: {
      output: {
        // The libraries in chunks of their own: no chunk over Vite's 500 kB warning, and a new
        // version of the app does not make returning visitors download KaTeX and chart.js again.
        codeSplitting: {
          groups: [
            { name: 'katex', test: /[\\/]node_modules[\\/]katex[\\/]/ },
            { name: 'chart', test: /[\\/]node_modules[\\/](chart\.js|@kurkle)[\\/]/ },
            { name: 'lit', test: /[\\/]node_modules[\\/](lit|lit-html|lit-element|@lit)[\\/]/ },
          ],
        },
      },
    },
  },
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

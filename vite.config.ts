/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';

/**
 * The largest file the service worker precaches: public/data/mnist-10k.bin is 7.85 MB (10,000
 * digits, uncompressed), Workbox's default limit is 2 MiB. Room for growth, but not for anything
 * that would make a first visit on a lecture hall's Wi-Fi slow.
 */
const PRECACHE_FILE_LIMIT = 12 * 1024 * 1024;

export default defineConfig({
  base: './',
  plugins: [
    // After one visit the page works with no network (a lecture hall without Wi-Fi): a service
    // worker precaches the app, its workers, KaTeX's fonts and the data the scenes fetch. A new
    // version waits until the visitor presses "Reload to update" (src/ui/offline.ts), so the page
    // never changes under a lecturer. Paths are relative, so any sub-path works.
    VitePWA({
      registerType: 'prompt',
      injectRegister: null,
      manifest: false,
      workbox: {
        globPatterns: [
          // The app, its workers and its chunks; KaTeX's woff2 fonts (every WebGPU browser reads
          // woff2, so its woff and ttf copies are left out).
          '**/*.{html,js,css,svg,woff2}',
          // What the scenes fetch: MNIST, the digit classifier's weights, the recorded runs.
          'data/*.bin',
          'models/*.bin',
          'recordings/*.json',
        ],
        maximumFileSizeToCacheInBytes: PRECACHE_FILE_LIMIT,
        // ?lesson=5 and every other link is the same index.html.
        navigateFallback: 'index.html',
        // The first visit is controlled as soon as the worker is active, so it works offline
        // without a second load; a later version still waits for the visitor (no skipWaiting).
        clientsClaim: true,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
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

/**
 * The service worker that keeps the page working with no network after one visit (what it
 * precaches is set in vite.config.ts). A new version is fetched in the background but waits: the
 * store's `pendingUpdate` puts a "Reload to update" button in the notices, and only that button
 * switches to it and reloads.
 */
/// <reference types="vite-plugin-pwa/vanillajs" />
import { registerSW } from 'virtual:pwa-register';
import type { AppStore } from './state/store';

/** How often an open page asks for a new version (a lecture's page stays open for hours). */
const UPDATE_CHECK_MS = 60 * 60 * 1000;

export function registerOffline(store: AppStore): void {
  let reloading = false;
  const reload = () => {
    if (reloading) return;
    reloading = true;
    location.reload();
  };
  const update = registerSW({
    onNeedRefresh: () =>
      store.setPendingUpdate(() => {
        // The waiting worker takes over, then the page loads again under it. vite-plugin-pwa
        // reloads by itself only on a page that was loaded under an older worker: the very page
        // of a first visit, left open until a new version came, would wait forever.
        navigator.serviceWorker.addEventListener('controllerchange', reload);
        void update();
      }),
    onNeedReload: reload,
    onRegisteredSW: (_url, registration) => {
      if (!registration) return;
      // Offline the check fails, and the page goes on with the version it has.
      setInterval(() => registration.update().catch(() => undefined), UPDATE_CHECK_MS);
    },
  });
}

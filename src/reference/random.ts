/** The seeded generator lives in src/core/random.ts (shared with the engine); this path stays for its many importers. */
export { Rng } from '../core/random';

/**
 * Loads the MNIST binary from the file system in Node (tests, the headless trainer). Kept out of
 * src/data/mnist.ts so that the browser bundle never imports node:fs.
 */
import { readFile } from 'node:fs/promises';
import { parseMnistBinary, type MnistSet } from '../data/mnist';

export const MNIST_NODE_DEFAULT_PATH = 'public/data/mnist-10k.bin';

/** Reads and parses the MNIST binary at `path` (relative paths from the working directory). */
export async function loadMnistInNode(path: string = MNIST_NODE_DEFAULT_PATH): Promise<MnistSet> {
  let file: Buffer;
  try {
    file = await readFile(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new Error(
      `MNIST data could not be read from ${path} (${why}): generate it with \`node scripts/build-mnist.mjs\` ` +
        '(run automatically by `npm run dev`, `npm run build` and `npm test`) after `npm install`',
      { cause: e },
    );
  }
  // An exact ArrayBuffer for the parser's views (a Buffer may sit inside a larger shared one).
  const bytes =
    file.byteOffset === 0 && file.byteLength === file.buffer.byteLength
      ? (file.buffer as ArrayBuffer)
      : (file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer);
  try {
    return parseMnistBinary(bytes);
  } catch (e) {
    throw new Error(`MNIST data at ${path} is not usable: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Loads the committed digit-classifier weights from the file system in Node (tests, tools). Kept
 * out of src/metrics/ so that the browser bundle never imports node:fs.
 */
import { readFile } from 'node:fs/promises';
import { DigitClassifier } from '../metrics/digit-classifier';

export const DIGIT_CLASSIFIER_NODE_PATH = 'public/models/digit-classifier.bin';

/** Reads and parses the weights at `path` (relative paths from the working directory). */
export async function loadDigitClassifierInNode(path: string = DIGIT_CLASSIFIER_NODE_PATH): Promise<DigitClassifier> {
  const file = await readFile(path);
  try {
    return DigitClassifier.fromBytes(file);
  } catch (e) {
    throw new Error(`digit classifier weights at ${path}: ${(e as Error).message}`, { cause: e });
  }
}

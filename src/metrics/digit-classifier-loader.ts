/**
 * Loads the committed digit-classifier weights in the browser: fetches
 * `${import.meta.env.BASE_URL}models/digit-classifier.bin` (public/ is served at the base URL).
 * Node code uses src/node/digit-classifier-node.ts instead.
 */
import { DigitClassifier } from './digit-classifier';

/** Path of the weights relative to the site's base URL. */
export const DIGIT_CLASSIFIER_FILE = 'models/digit-classifier.bin';

/** The Vite base URL; './' where import.meta.env is absent (Node bundles). */
function viteBaseUrl(): string {
  return (import.meta as { env?: { BASE_URL?: string } }).env?.BASE_URL ?? './';
}

/** Fetches and parses the weights under `baseUrl` (default: the Vite base URL). */
export async function loadDigitClassifier(baseUrl: string = viteBaseUrl()): Promise<DigitClassifier> {
  const base = baseUrl === '' || baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const url = `${base}${DIGIT_CLASSIFIER_FILE}`;
  const response = await fetch(url);
  if (!response.ok) throw new Error(`digit classifier weights: ${url} answered HTTP ${response.status}`);
  try {
    return DigitClassifier.fromBytes(await response.arrayBuffer());
  } catch (e) {
    throw new Error(`digit classifier weights at ${url}: ${(e as Error).message}`, { cause: e });
  }
}

/**
 * Getting a file or an image off the page: a download through a temporary link (no server, works
 * from any static host), and the clipboard where the browser offers image writes.
 */

export function downloadBlob(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has its own reference by now; a minute is generous for slow disks.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export const downloadText = (text: string, filename: string, type: string): void =>
  downloadBlob(new Blob([text], { type }), filename);

/** Whether images can be put on the clipboard (secure context, Clipboard API with ClipboardItem). */
export function canCopyImages(): boolean {
  return (
    typeof ClipboardItem !== 'undefined' &&
    typeof navigator !== 'undefined' &&
    typeof navigator.clipboard?.write === 'function' &&
    window.isSecureContext
  );
}

export async function copyImage(png: Blob): Promise<void> {
  await navigator.clipboard.write([new ClipboardItem({ 'image/png': png })]);
}

/** A file name from words: lower case, hyphens, nothing a file system dislikes. */
export const fileSlug = (...parts: (string | number)[]): string =>
  parts
    .map(String)
    .join('-')
    .toLowerCase()
    .replace(/σ/g, 'sigma')
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/^-+|-+$/g, '');

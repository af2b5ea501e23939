/** The status line's memory figure in words, e.g. "GPU memory: 212 buffers · 3.1 MB". */
import type { RunMemory } from '../state/store';

function sizeText(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${Math.round(bytes / 1e3)} kB`;
}

export function memoryText(m: RunMemory): string {
  const what = m.kind === 'webgpu' ? 'GPU memory' : 'CPU memory';
  const unit = m.kind === 'webgpu' ? 'buffer' : 'tensor';
  return `${what}: ${m.items} ${unit}${m.items === 1 ? '' : 's'} · ${sizeText(m.bytes)}`;
}

/**
 * `npm run spectra -- run.json`: a per-layer table of the spectra a headless run recorded — for
 * every variant and D layer: σ₁(W̄), σ̃ against the exact σ₁(W), Σσ²(W̄) against d_out, the stable
 * rank, the head of σᵢ²/σ₁², and σ₁(W̄) over the run.
 */
import { readFileSync } from 'node:fs';
import { layerSpectrum, type LayerSpectrum, type LayerWeights } from '../spectra/spectra';

interface RunFile {
  steps: number;
  metrics: Array<{ step: number; variant: string; spectra?: LayerSpectrum[] }>;
  variants: Record<string, { diverged: number | null; layers: LayerWeights[] }>;
}

const fmt = (x: number | null | undefined, digits = 4): string =>
  x === null || x === undefined ? '–' : Number.isFinite(x) ? x.toPrecision(digits) : String(x);

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function main(path: string | undefined): void {
  if (!path) throw new Error('usage: npm run spectra -- run.json');
  const run = JSON.parse(readFileSync(path, 'utf8')) as RunFile;
  for (const [variant, v] of Object.entries(run.variants)) {
    console.log(
      `\n## ${variant}${v.diverged !== null ? ` (diverged at step ${v.diverged})` : ''} — final weights, step ${run.steps}`,
    );
    const history = run.metrics.filter((m) => m.variant === variant && m.spectra);
    const rows = v.layers.map((layer, i) => {
      const s = layerSpectrum(layer);
      const over = history.map((m) => fmt(m.spectra![i]?.sigma1, 3)).join(' → ');
      return [
        layer.name,
        `${s.shape[0]}×${s.shape[1]}`,
        fmt(s.sigma1),
        fmt(s.sigmaEstimate),
        fmt(s.sigma1Raw),
        `${fmt(s.sumSquares)} / ${s.dOut}`,
        fmt(s.stableRank),
        s.normalizedSquared
          .slice(0, 4)
          .map((x) => fmt(x, 2))
          .join(' '),
        over || '–',
      ];
    });
    console.log(
      table(
        [
          'layer',
          'shape',
          'σ₁(W̄)',
          'σ̃',
          'σ₁(W)',
          'Σσ²(W̄) / d_out',
          'stable rank',
          'σᵢ²/σ₁² (head)',
          'σ₁(W̄) over the run',
        ],
        rows,
      ),
    );
  }
}

try {
  main(process.argv[2]);
} catch (error) {
  console.error(`spectra: ${(error as Error).message}`);
  process.exit(1);
}

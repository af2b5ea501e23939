/**
 * A chart.js chart drawn again at a chosen pixel ratio for export: a copy of the live chart (same
 * datasets, same options, legend always on) in an off-screen box of the same CSS size, so the
 * picture is sharp at twice the screen's resolution and the live chart is never disturbed.
 */
import { Chart, type ChartConfiguration } from 'chart.js';
import type { ChartPoint } from '../charts/series';

type LineChartInstance = Chart<'line', ChartPoint[]>;

/** The chart.js chart inside an element's shadow root (a `<sngan-line-chart>`), or null. */
export function liveChartIn(element: Element): LineChartInstance | null {
  const canvas = element.shadowRoot?.querySelector('canvas');
  return canvas ? ((Chart.getChart(canvas) as LineChartInstance | undefined) ?? null) : null;
}

/** The chart drawn at `pixelRatio` device pixels per CSS px, on a transparent canvas. */
export function redrawChart(live: LineChartInstance, pixelRatio: number): HTMLCanvasElement {
  const { width, height } = live;
  const box = document.createElement('div');
  box.style.cssText = `position:fixed;left:-100000px;top:0;width:${width}px;height:${height}px`;
  const canvas = document.createElement('canvas');
  box.append(canvas);
  document.body.append(box);
  const options = live.config.options ?? {};
  const legend = options.plugins?.legend;
  const config: ChartConfiguration<'line', ChartPoint[]> = {
    type: 'line',
    data: { datasets: live.data.datasets.map((d) => ({ ...d })) },
    options: {
      ...options,
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      devicePixelRatio: pixelRatio,
      // A compact small multiple hides its legend on screen; the exported picture must say which line is which.
      plugins: { ...options.plugins, legend: { ...legend, display: true }, tooltip: { enabled: false } },
    },
  };
  const copy = new Chart(canvas, config);
  copy.update('none');
  const out = document.createElement('canvas');
  out.width = canvas.width;
  out.height = canvas.height;
  out.getContext('2d')!.drawImage(canvas, 0, 0);
  copy.destroy();
  box.remove();
  return out;
}

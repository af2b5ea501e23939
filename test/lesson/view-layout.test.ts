// The scene's views always fit the stage they are given (presentation mode must never scroll)
// and use most of it.
import { describe, expect, it } from 'vitest';
import { SCENES } from '../../src/lesson/scenes';
import { PANEL_CHROME_PRESENT, SAMPLES_HEADING, viewLayout } from '../../src/ui/lesson/view-layout';

const SCREENS = [
  { width: 1280, height: 720, font: 24 },
  { width: 1920, height: 1080, font: 36 },
  { width: 3840, height: 2160, font: 72 },
];

describe('scene view layout', () => {
  for (const screen of SCREENS) {
    it(`fits every scene and variant count on a ${screen.width} × ${screen.height} stage`, () => {
      // The stage of the slide: the screen less the header and footer lines, and less the
      // look-for column beside the views (30% of the slide, more for a long list).
      const width = (screen.width - 2.4 * screen.font) * 0.62 - screen.font;
      const height = screen.height - 7.5 * screen.font;
      for (const scene of SCENES) {
        for (let variants = 1; variants <= 6; variants++) {
          const layout = viewLayout(scene.views, variants, width, height, screen.font, PANEL_CHROME_PRESENT);
          const label = `${scene.slug} with ${variants} variants`;
          expect(layout.boxes).toHaveLength(scene.views.length);
          const samples = scene.views.findIndex((v) => v.kind === 'samples');
          const charts = layout.boxes.filter((_, i) => i !== samples);
          const chartWidths = charts.reduce((sum, b) => sum + b.width, 0) + screen.font * (charts.length - 1);
          if (samples >= 0) {
            const panel = layout.boxes[samples].panel ?? 0;
            expect(panel, label).toBeGreaterThan(screen.height / 8);
            if (layout.sideBySide) {
              expect(layout.boxes[samples].width + screen.font + chartWidths, label).toBeLessThanOrEqual(width + 1);
              // The panels' rows, under their heading, fit the stage's height too.
              const columns = Math.max(
                1,
                Math.floor((layout.boxes[samples].width + screen.font) / (panel + screen.font)),
              );
              const rows = Math.ceil(variants / columns);
              const panelsHeight =
                SAMPLES_HEADING * screen.font +
                rows * (panel + PANEL_CHROME_PRESENT * screen.font) +
                (rows - 1) * screen.font;
              expect(panelsHeight, label).toBeLessThanOrEqual(height + 1);
            } else {
              expect(layout.boxes[samples].width, label).toBeLessThanOrEqual(width);
              const columns = Math.max(1, Math.floor((width + screen.font) / (panel + screen.font)));
              const rows = Math.ceil(variants / columns);
              const panelsHeight =
                SAMPLES_HEADING * screen.font +
                rows * (panel + PANEL_CHROME_PRESENT * screen.font) +
                (rows - 1) * screen.font;
              // Below the panels: a gap, then each chart with its lines of text (a spectrum's key).
              const below = scene.views.map((v, i) =>
                i === samples
                  ? 0
                  : screen.font + layout.boxes[i].chartHeight + (v.kind === 'spectra' ? 2.4 : 0.6) * screen.font,
              );
              expect(panelsHeight + Math.max(...below), label).toBeLessThanOrEqual(height + 1);
            }
          } else {
            expect(chartWidths, label).toBeLessThanOrEqual(width + 1);
          }
          for (const box of charts) {
            expect(box.chartHeight, label).toBeGreaterThan(height / 4);
            expect(box.chartHeight, label).toBeLessThanOrEqual(height);
          }
        }
      }
    });
  }

  it('puts the samples beside a chart that would be cramped under them (scene 5 at 720p)', () => {
    // Scene 5's stage at 1280 × 720 with its look-for column: three digit grids and the score chart.
    const views = SCENES.find((s) => s.views.length === 2 && s.views[1].kind === 'chart')!.views;
    const font = 20;
    const layout = viewLayout(views, 3, 780, 400, font, PANEL_CHROME_PRESENT);
    expect(layout.sideBySide).toBe(true);
    // The chart keeps a plot under its title, ticks and axis label (~6 font heights of them).
    expect(layout.boxes[1].chartHeight).toBeGreaterThan(12 * font);
    // …and the panels are no more than a fifth smaller than above the chart.
    // (Above the chart the samples get 56% of the height: the same as samples alone in that much.)
    const above = viewLayout([views[0]], 3, 780, 0.56 * 400, font, PANEL_CHROME_PRESENT).boxes[0].panel ?? 0;
    expect(layout.boxes[0].panel).toBeGreaterThanOrEqual(0.8 * above);
  });
});

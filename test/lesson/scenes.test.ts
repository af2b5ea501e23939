// The lesson's content and its address: every scene is a valid link, every formula typesets,
// texts stay short, and the address bar round-trips a scene with the visitor's own changes.
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import { EXPLANATIONS } from '../../src/lesson/explanations';
import { SCENES, sceneAt } from '../../src/lesson/scenes';
import { parseLocation, sceneSettings, serializeLocation } from '../../src/ui/lesson/lesson-url';
import { parseSettings } from '../../src/ui/state/url-state';
import { paragraphHtml, paragraphs } from '../../src/ui/lesson/rich-text';

/** Every TeX fragment of a rich text ($…$ and $$…$$). */
function texFragments(text: string): string[] {
  return [...text.matchAll(/\$\$([\s\S]+?)\$\$|\$([^$]+?)\$/g)].map((m) => m[1] ?? m[2]);
}

const words = (text: string): number =>
  text
    .replace(/\$\$[\s\S]+?\$\$|\$[^$]+?\$/g, ' x ')
    .split(/\s+/)
    .filter((w) => /[A-Za-z0-9]/.test(w)).length;

describe('lesson scenes', () => {
  it('are seven, in the order of the issue, each with a title, a text and a key line', () => {
    expect(SCENES.map((s) => s.slug)).toEqual([
      'gan-2d',
      'lipschitz',
      'power-iteration',
      'spectra',
      'aggressive',
      'others',
      'your-turn',
    ]);
    for (const scene of SCENES) {
      expect(scene.title.length).toBeGreaterThan(5);
      expect(scene.slide.length).toBeGreaterThan(10);
      expect(paragraphs(scene.text).length).toBeGreaterThan(0);
    }
    expect(SCENES.filter((s) => s.sandbox).map((s) => s.slug)).toEqual(['your-turn']);
  });

  it('keep each text within about 150 words (math counts as one word)', () => {
    for (const scene of SCENES) expect(words(scene.text), scene.slug).toBeLessThanOrEqual(160);
  });

  it('open with settings that the link parser accepts without a notice', () => {
    for (const scene of SCENES) {
      const { notices } = parseSettings(scene.query);
      expect(notices, scene.slug).toEqual([]);
      if (scene.toggle) expect(parseSettings(`${scene.query}&${scene.toggle.on}`).notices).toEqual([]);
    }
    expect(sceneSettings(1).variants).toEqual(['sn', 'none']);
    expect(sceneSettings(1).data).toBe('ring8');
    expect(sceneSettings(3).snWarmup).toBe(0);
    expect(sceneSettings(3).snRounds).toBe(1);
  });

  it('typeset every formula of texts, key lines, look-for lines and explanations without a TeX error', () => {
    const texts = [
      ...SCENES.flatMap((s) => [s.text, s.slide, ...s.lookFor]),
      ...Object.values(EXPLANATIONS).map((e) => e.text),
    ];
    let count = 0;
    for (const text of texts) {
      for (const tex of texFragments(text)) {
        expect(() => katex.renderToString(tex, { throwOnError: true }), tex).not.toThrow();
        count++;
      }
    }
    expect(count).toBeGreaterThan(40);
  });

  it('renders math as KaTeX and escapes the prose around it', () => {
    const html = paragraphHtml('a <b> & $\\sigma(W)$ and $$\\bar W = W/\\sigma$$');
    expect(html).toContain('a &lt;b&gt; &amp; ');
    expect(html).toContain('class="katex"');
    expect(html).toContain('katex-display');
    expect(html).not.toContain('$');
  });
});

describe('lesson address', () => {
  it('opens scene N with its settings; the sandbox without lesson is unchanged', () => {
    const at3 = parseLocation('?lesson=3');
    expect(at3.lesson).toBe(3);
    expect(at3.present).toBe(false);
    expect(at3.settings).toEqual(sceneSettings(3));
    expect(at3.notices).toEqual([]);
    const sandbox = parseLocation('?data=grid25&seed=4');
    expect(sandbox.lesson).toBeNull();
    expect(sandbox.settings).toEqual(parseSettings('?data=grid25&seed=4').settings);
  });

  it('lets a link override a scene’s value and writes only what differs from the scene', () => {
    const location = parseLocation('?lesson=2&seed=7&play=1&present=1');
    expect(location.settings.seed).toBe(7);
    expect(location.settings.autoplay).toBe(true);
    expect(location.present).toBe(true);
    const query = serializeLocation(2, true, location.settings);
    expect(new URLSearchParams(query).get('lesson')).toBe('2');
    expect(query).toContain('seed=7');
    expect(query).not.toContain('data=');
    expect(parseLocation(`?${query}`).settings).toEqual(location.settings);
    expect(serializeLocation(4, false, sceneSettings(4))).toBe('lesson=4');
  });

  it('round-trips every scene, and a display flag the visitor turned off', () => {
    for (let n = 1; n <= SCENES.length; n++) {
      const settings = sceneSettings(n);
      expect(parseLocation(`?${serializeLocation(n, false, settings)}`).settings).toEqual(settings);
      const noArrows = { ...settings, arrows: false, heatmap: false };
      expect(parseLocation(`?${serializeLocation(n, false, noArrows)}`).settings).toEqual(noArrows);
    }
  });

  it('falls back to scene 1 with a notice for a scene that does not exist', () => {
    for (const bad of ['0', '8', 'two', '1.5', '']) {
      const location = parseLocation(`?lesson=${bad}`);
      expect(location.lesson).toBe(1);
      expect(location.notices.map((n) => n.key)).toEqual(['lesson']);
      expect(location.notices[0].message).toContain(`lesson=${bad}`);
    }
    expect(parseLocation('?present=yes').notices[0].message).toContain('present=yes');
    expect(sceneAt(SCENES.length + 1)).toBeUndefined();
  });
});

/**
 * What the accessibility e2e measures inside the page: axe's report grouped by impact, the layout
 * shifts since navigation, and facts about visible elements through every open shadow root (the
 * page is Lit components, so document.querySelectorAll alone sees almost nothing).
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from 'playwright-core';

export interface AxeSummary {
  /** Rule ids with their node count, per impact (minor, moderate, serious, critical). */
  byImpact: Record<string, string[]>;
  /** "rule: target — message" for every serious or critical node. */
  blocking: string[];
}

export async function axeSummary(page: Page): Promise<AxeSummary> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const byImpact: Record<string, string[]> = {};
  const blocking: string[] = [];
  for (const v of violations) {
    const impact = v.impact ?? 'unknown';
    (byImpact[impact] ??= []).push(`${v.id} ×${v.nodes.length}`);
    if (impact === 'serious' || impact === 'critical') {
      for (const n of v.nodes) blocking.push(`${v.id}: ${n.target.join(' ')} — ${n.failureSummary ?? ''}`);
    }
  }
  return { byImpact, blocking };
}

/** Init script: collects 'layout-shift' entries (not caused by input) from the first paint on. */
export function recordLayoutShifts(): void {
  const w = window as unknown as { layoutShift: number };
  w.layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean })[]) {
      if (!e.hadRecentInput) w.layoutShift += e.value;
    }
  }).observe({ type: 'layout-shift', buffered: true });
}

/** The sum of layout-shift values so far (every shift counted, a stricter bound than CLS's windows). */
export const layoutShift = (page: Page): Promise<number> =>
  page.evaluate(() => (window as unknown as { layoutShift: number }).layoutShift);

export interface Target {
  what: string;
  width: number;
  height: number;
}

/**
 * Every visible control (button, link, select, text field, summary) and every checkbox or radio's
 * label (the label is what a finger hits), with its size in CSS px.
 */
export async function touchTargets(page: Page): Promise<Target[]> {
  return page.evaluate(() => {
    const found: Target[] = [];
    const walk = (root: ParentNode): void => {
      for (const el of root.querySelectorAll('*')) {
        if (el.shadowRoot) walk(el.shadowRoot);
        const tag = el.tagName;
        const input = el as HTMLInputElement;
        const isToggle = tag === 'INPUT' && (input.type === 'checkbox' || input.type === 'radio');
        const control =
          ['BUTTON', 'A', 'SELECT', 'SUMMARY', 'TEXTAREA'].includes(tag) || (tag === 'INPUT' && !isToggle);
        const box = isToggle ? (el.closest('label') ?? el) : control ? el : null;
        if (!box) continue;
        const rect = box.getBoundingClientRect();
        const style = getComputedStyle(box);
        if (rect.width === 0 || rect.height === 0 || style.visibility === 'hidden') continue;
        // Links inside running text are exempt (WCAG 2.5.5's "inline" exception).
        if (tag === 'A' && getComputedStyle(el).display === 'inline') continue;
        const text = (box.getAttribute('aria-label') ?? box.textContent ?? '').trim().replace(/\s+/g, ' ');
        found.push({ what: `${tag.toLowerCase()} "${text.slice(0, 30)}"`, width: rect.width, height: rect.height });
      }
    };
    walk(document);
    return found;
  });
}

/** The page scrolls sideways when its content is wider than the window. */
export const horizontalOverflow = (page: Page): Promise<number> =>
  page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

/** Every line chart's canvas label, by the chart's data-testid (those without one left out). */
export async function chartLabels(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const labels: Record<string, string> = {};
    const walk = (root: ParentNode): void => {
      for (const el of root.querySelectorAll('*')) {
        if (el.tagName === 'SNGAN-LINE-CHART' && el.getAttribute('data-testid')) {
          const canvas = el.shadowRoot!.querySelector('canvas')!;
          if (canvas.getAttribute('role') !== 'img') throw new Error(`${el.getAttribute('data-testid')}: no role=img`);
          labels[el.getAttribute('data-testid')!] = canvas.getAttribute('aria-label') ?? '';
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return labels;
  });
}

export interface FocusStop {
  what: string;
  testid: string;
  /** An outline or a shadow on the focused element, or (a visually hidden radio) on its label. */
  visible: boolean;
}

/** Presses Tab up to `max` times from the top of the page (until focus comes back round). */
export async function focusWalk(page: Page, max: number): Promise<FocusStop[]> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const stops: FocusStop[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate(() => {
      let el = document.activeElement;
      while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
      if (!el || el === document.body) return null;
      const ring = (e: Element): boolean => {
        const s = getComputedStyle(e);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
        return outline || s.boxShadow !== 'none';
      };
      const rect = el.getBoundingClientRect();
      const hidden = parseFloat(getComputedStyle(el).opacity) === 0 || rect.width <= 1;
      const label = el.closest('label');
      const text = (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().replace(/\s+/g, ' ');
      const path: string[] = [];
      for (let n: Node | null = el; n; n = n instanceof ShadowRoot ? n.host : n.parentNode) {
        if (n instanceof Element) path.push(n.tagName);
      }
      return {
        what: `${el.tagName.toLowerCase()} "${text.slice(0, 40)}"`,
        testid: el.getAttribute('data-testid') ?? '',
        visible: hidden && label ? ring(label) : ring(el),
        key: `${el.getAttribute('data-testid')}|${path.join('<')}|${text}|${Math.round(rect.x)},${Math.round(rect.y)}`,
      };
    });
    if (!stop) continue;
    if (seen.has(stop.key)) break;
    seen.add(stop.key);
    stops.push({ what: stop.what, testid: stop.testid, visible: stop.visible });
  }
  return stops;
}

/** Running CSS animations and transitions, and elements with a non-zero animation or transition time. */
export async function movingThings(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found = document.getAnimations().map((a) => `animation ${a.constructor.name} on ${String(a.id)}`);
    const walk = (root: ParentNode): void => {
      for (const el of root.querySelectorAll('*')) {
        const s = getComputedStyle(el);
        const timed = (v: string) => v.split(',').some((t) => parseFloat(t) > 0);
        if ((s.animationName !== 'none' && timed(s.animationDuration)) || timed(s.transitionDuration)) {
          found.push(`${el.tagName.toLowerCase()}.${el.className}`);
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return found;
  });
}

/** The widths of the main column, of every line chart and every sample panel (CSS px). */
export async function viewBoxes(page: Page): Promise<{ column: number; charts: Target[]; panels: Target[] }> {
  return page.evaluate(() => {
    const charts: Target[] = [];
    const panels: Target[] = [];
    let column = 0;
    const walk = (root: ParentNode): void => {
      for (const el of root.querySelectorAll('*')) {
        const rect = el.getBoundingClientRect();
        const box = { what: el.getAttribute('data-testid') ?? el.tagName, width: rect.width, height: rect.height };
        if (el.tagName === 'MAIN') column = Math.max(column, rect.width);
        if (el.tagName === 'SNGAN-LINE-CHART' && rect.width > 0) charts.push(box);
        if ((el.tagName === 'SNGAN-FIELD-VIEW' || el.tagName === 'SNGAN-IMAGE-GRID') && rect.width > 0) {
          panels.push(box);
        }
        if (el.shadowRoot) walk(el.shadowRoot);
      }
    };
    walk(document);
    return { column, charts, panels };
  });
}

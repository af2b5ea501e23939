/**
 * Fingers and small screens: on a phone or tablet (narrow window, or a coarse pointer) every
 * control is at least 44 × 44 CSS px (WCAG 2.5.5, Apple's and Google's guidelines), and every
 * component's styles include `touchTargetStyles` so its buttons, fields and toggle labels grow.
 */
import { css, unsafeCSS } from 'lit';

/** The media query for "touch-sized controls". */
export const TOUCH_QUERY = '(max-width: 900px), (pointer: coarse)';
export const TOUCH_TARGET_PX = 44;

/** Whether controls are touch-sized now (read when a chart lays out its corner buttons). */
export const touchSized = (): boolean => typeof matchMedia === 'function' && matchMedia(TOUCH_QUERY).matches;

/* !important: a component's own sizes (the (i)'s 24 px, say) are for a mouse; a finger's minimum wins. */
export const touchTargetStyles = css`
  @media ${unsafeCSS(TOUCH_QUERY)} {
    button,
    select,
    summary,
    input:not([type='checkbox'], [type='radio']) {
      min-height: ${TOUCH_TARGET_PX}px !important;
      min-width: ${TOUCH_TARGET_PX}px !important;
      box-sizing: border-box;
    }
    /* A checkbox or radio is hit through its label: the label is the target. */
    label:has(> input[type='checkbox'], > input[type='radio']) {
      min-height: ${TOUCH_TARGET_PX}px !important;
      min-width: ${TOUCH_TARGET_PX}px !important;
      box-sizing: border-box;
      display: flex;
      align-items: center;
    }
  }
`;

/**
 * prefers-reduced-motion: the page animates nothing on purpose (charts redraw without chart.js
 * animation, popovers and tables appear at once), and this guard keeps it so for anything a
 * component adds later — transitions, CSS animations, smooth scrolling — when the visitor asks for
 * less motion. Every component's styles include it (document CSS does not reach shadow roots).
 */
import { css } from 'lit';

export const reducedMotionStyles = css`
  @media (prefers-reduced-motion: reduce) {
    *,
    *::before,
    *::after {
      animation-duration: 0s !important;
      animation-iteration-count: 1 !important;
      transition-duration: 0s !important;
      scroll-behavior: auto !important;
    }
  }
`;

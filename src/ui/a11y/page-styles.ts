/**
 * The accessibility styles every component of the page includes: touch-sized controls, less
 * motion. One CSSResult, so a component adds it as one line at the top of its own css`` block.
 */
import { css } from 'lit';
import { reducedMotionStyles } from './motion';
import { touchTargetStyles } from './touch';

export const a11yStyles = css`
  ${touchTargetStyles}
  ${reducedMotionStyles}
`;

/**
 * Small screens: below ONE_COLUMN the page is one column and its settings fold into a panel;
 * below PHONE the views (sample panels, a scene's views) are stacked at the full width. A
 * controller keeps the host's render in step with the window, re-rendering only when one of these
 * changes (or the width, on a phone, where panels follow it).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export const ONE_COLUMN_QUERY = '(max-width: 900px)';
export const PHONE_QUERY = '(max-width: 600px)';

export class ScreenController implements ReactiveController {
  oneColumn = false;
  phone = false;
  /** The window's width in CSS px. */
  width = 0;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  hostConnected(): void {
    this.read();
    window.addEventListener('resize', this.onResize);
  }

  hostDisconnected(): void {
    window.removeEventListener('resize', this.onResize);
  }

  private readonly onResize = (): void => {
    const before = [this.oneColumn, this.phone, this.width];
    this.read();
    if (before[0] !== this.oneColumn || before[1] !== this.phone || (this.phone && before[2] !== this.width)) {
      this.host.requestUpdate();
    }
  };

  private read(): void {
    this.oneColumn = matchMedia(ONE_COLUMN_QUERY).matches;
    this.phone = matchMedia(PHONE_QUERY).matches;
    this.width = window.innerWidth;
  }
}

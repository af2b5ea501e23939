/**
 * `<sngan-info topic="…">`: the (i) next to a title. It opens the topic's explanation (what the
 * view shows, how it is computed, the paper's equation or figure) as a popover: mouse, keyboard
 * (Enter/Space opens, Escape closes) and touch alike, and a click outside closes it.
 */
import { LitElement, css, html } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import { EXPLANATIONS, type ExplanationId } from '../../lesson/explanations';
import { RICH_TEXT_STYLES, richText } from './rich-text';
import { a11yStyles } from '../a11y/page-styles';

@customElement('sngan-info')
export class InfoButton extends LitElement {
  @property() topic: ExplanationId = 'status-line';

  static override styles = [
    ...RICH_TEXT_STYLES,
    a11yStyles,
    css`
      :host {
        display: inline-block;
        vertical-align: middle;
        line-height: 1;
      }
      button.open {
        width: 1.45em;
        height: 1.45em;
        min-width: 24px;
        min-height: 24px;
        border-radius: 50%;
        border: 2px solid #0072b2;
        background: #fff;
        color: #0072b2;
        font:
          700 0.85em/1 Georgia,
          'Times New Roman',
          serif;
        font-style: italic;
        cursor: pointer;
        padding: 0;
      }
      button.open:hover,
      button.open:focus-visible {
        background: #0072b2;
        color: #fff;
      }
      button:focus-visible {
        outline: 3px solid #000;
        outline-offset: 2px;
      }
      [popover] {
        max-width: min(40rem, 92vw);
        max-height: 85vh;
        overflow: auto;
        padding: 1rem 1.3rem;
        border: 2px solid #0072b2;
        border-radius: 8px;
        box-shadow: 0 8px 30px rgb(0 0 0 / 25%);
        font:
          17px/1.5 system-ui,
          sans-serif;
        color: #1a1a1a;
        text-align: left;
      }
      h3 {
        margin: 0 0 0.4rem;
        font-size: 1.15em;
      }
      p {
        margin: 0.5em 0;
      }
      button.close {
        font: inherit;
        margin-top: 0.4rem;
        padding: 0.3rem 0.9rem;
        border: 1px solid #888;
        border-radius: 4px;
        background: #f4f4f4;
        cursor: pointer;
      }
    `,
  ];

  override render() {
    const { title, text } = EXPLANATIONS[this.topic];
    return html`
      <button
        class="open"
        popovertarget="explanation"
        aria-label=${`Explain: ${title}`}
        title=${`What is this? ${title}`}
        data-testid=${`info-${this.topic}`}
      >
        i
      </button>
      <div id="explanation" popover role="dialog" aria-label=${title} data-testid=${`explanation-${this.topic}`}>
        <h3>${title}</h3>
        ${richText(text)}
        <button class="close" popovertarget="explanation" popovertargetaction="hide">Close</button>
      </div>
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'sngan-info': InfoButton;
  }
}

/**
 * What the visitor must see about the run, wherever the page is (sandbox, lesson, presentation
 * mode): link values that were rejected, a problem (device lost, settings refused), and
 * information (a restart, a recovery), a new version of the page waiting to be loaded. One template
 * and one style for all of them.
 */
import { css, html, nothing } from 'lit';
import type { AppStore } from '../state/store';

export const noticeStyles = css`
  .notice {
    margin: 0.3em 0;
    padding: 0.45em 0.9em;
    border-radius: 6px;
    border-left: 5px solid;
  }
  .notice.problem {
    background: #fde8e8;
    border-color: #d55e00;
  }
  .notice.url {
    background: #fff4d6;
    border-color: #e69f00;
  }
  .notice.info {
    background: #e8f1f8;
    border-color: #0072b2;
  }
  .notice.update button {
    margin-left: 0.6em;
    font: inherit;
  }
  .notice.recording {
    background: #f1ecf7;
    border-color: #8e6bbf;
  }
`;

export function renderNotices(store: AppStore) {
  const run = store.run;
  return html`
    ${
      store.urlNotices.length > 0
        ? html`<div class="notice url" role="status" data-testid="url-notice">
            <strong>Some link settings were not valid and fell back to defaults:</strong>
            ${store.urlNotices.map((n) => html`<div>${n.message}</div>`)}
          </div>`
        : nothing
    }
    ${run.problem ? html`<p class="notice problem" role="alert" data-testid="problem">${run.problem}</p>` : nothing}
    ${run.info ? html`<p class="notice info" role="status" data-testid="info">${run.info}</p>` : nothing}
    ${
      // Never applied by itself: the page must not change under a lecturer in mid-sentence.
      store.pendingUpdate
        ? html`<p class="notice info update" role="status" data-testid="update-notice">
            A new version of this page is ready.
            <button type="button" data-testid="update-reload" @click=${store.pendingUpdate}>Reload to update</button>
          </p>`
        : nothing
    }
  `;
}

/**
 * The lesson's look: a reading column beside the stage on a laptop; in presentation mode one
 * 16:9 screen with no scrolling whose type scales with the screen (24 px at 1280 × 720, 36 px at
 * 1920 × 1080, 72 px at 3840 × 2160).
 */
import { css, unsafeCSS } from 'lit';
import { RICH_TEXT_STYLES } from './rich-text';
import { noticeStyles } from '../controls/notices';
import { a11yStyles } from '../a11y/page-styles';
import { PHONE_QUERY } from '../a11y/screen';

export const lessonStyles = [
  ...RICH_TEXT_STYLES,
  a11yStyles,
  noticeStyles,
  css`
    :host {
      display: block;
      color: #1a1a1a;
    }
    button {
      font: inherit;
      cursor: pointer;
      border: 1px solid #777;
      border-radius: 5px;
      background: #f7f7f7;
      padding: 0.3em 0.8em;
      min-height: 2.2em;
    }
    button:disabled {
      cursor: default;
      opacity: 0.45;
    }
    button:focus-visible,
    input:focus-visible {
      outline: 3px solid #000;
      outline-offset: 2px;
    }
    button.primary {
      background: #0072b2;
      border-color: #0072b2;
      color: #fff;
      font-weight: 600;
      min-width: 6.5em;
    }
    nav.scenes {
      display: flex;
      align-items: stretch;
      gap: 0.4rem;
      margin: 0.4rem 0 0.8rem;
    }
    nav.scenes ol {
      display: flex;
      flex: 1;
      gap: 0.25rem;
      list-style: none;
      margin: 0;
      padding: 0;
      min-width: 0;
    }
    nav.scenes li {
      flex: none;
    }
    nav.scenes li:has(.current) {
      flex: 1;
      min-width: 0;
    }
    nav.scenes ol button {
      width: 100%;
      height: 100%;
      display: flex;
      align-items: center;
      gap: 0.4em;
      text-align: left;
      background: #fff;
      border-color: #bbb;
      font-size: 0.85em;
      overflow: hidden;
    }
    nav.scenes ol button.current {
      background: #e8f1f8;
      border: 2px solid #0072b2;
      font-weight: 600;
    }
    .num {
      flex: none;
      display: inline-grid;
      place-items: center;
      width: 1.6em;
      height: 1.6em;
      border-radius: 50%;
      background: #0072b2;
      color: #fff;
      font-weight: 700;
    }
    .name {
      white-space: nowrap;
      overflow: hidden;
      text-overflow: ellipsis;
    }
    .step-scene {
      font-size: 1.2em;
      font-weight: 700;
      padding: 0 0.7em;
    }
    h1,
    h2 {
      font-size: 1.6rem;
      margin: 0 0 0.5rem;
      line-height: 1.2;
    }
    .scene-num {
      display: block;
      font-size: 0.6em;
      font-weight: 600;
      color: #0072b2;
      text-transform: uppercase;
      letter-spacing: 0.04em;
    }
    .body {
      display: grid;
      grid-template-columns: minmax(20rem, 32rem) minmax(0, 1fr);
      gap: 1.5rem;
      align-items: start;
    }
    @media (max-width: 1000px) {
      .body {
        grid-template-columns: minmax(0, 1fr);
      }
      nav.scenes .name {
        display: none;
      }
    }
    article {
      font-size: 1.05rem;
      line-height: 1.55;
    }
    /* A displayed equation wider than a phone scrolls on its own line instead of being cut off. */
    .katex-display {
      overflow-x: auto;
      overflow-y: hidden;
    }
    article p {
      margin: 0 0 0.7em;
    }
    .look-for {
      border-left: 5px solid #e69f00;
      background: #fff8e6;
      padding: 0.5em 0.9em;
      margin: 0.6em 0;
    }
    .look-for p {
      margin: 0.2em 0;
    }
    .toggle {
      display: flex;
      gap: 0.5em;
      align-items: center;
      margin: 0.5em 0;
    }
    .toggle input {
      width: 1.2em;
      height: 1.2em;
    }
    .controls {
      display: flex;
      flex-wrap: wrap;
      gap: 0.5em;
      align-items: center;
      margin: 0.5em 0;
    }
    .stage {
      min-width: 0;
    }
    .stage sngan-status-line {
      margin-top: 0.8rem;
    }
    .page .views {
      height: max(24rem, calc(100vh - 16.5rem));
    }
    .views {
      display: flex;
      flex-wrap: wrap;
      align-content: flex-start;
      /* Each view as tall as its content: stretched to the samples' height, a chart looked as if it
         reached below the slide, and fitSlide shrank it again and again to nothing (scene 5, 720p). */
      align-items: flex-start;
      gap: 1rem;
      min-height: 0;
      overflow: hidden;
    }
    .view {
      min-width: 0;
    }
    .view-title {
      display: flex;
      align-items: center;
      gap: 0.5em;
      font-weight: 600;
      margin-bottom: 0.2em;
    }

    /* A phone (after the rules it overrides): the scene list on a row of its own under ← → and
       "Leave", the views stacked and the page scrolling (view-layout.ts's stackedLayout sizes them). */
    @media ${unsafeCSS(PHONE_QUERY)} {
      nav.scenes {
        flex-wrap: wrap;
      }
      nav.scenes ol {
        order: 1;
        flex-basis: 100%;
      }
      nav.scenes .leave {
        margin-left: auto;
      }
      .page .views {
        height: auto;
      }
    }

    /* Presentation mode: one screen, no scrolling, everything scaled from the screen's size. */
    :host([present]) {
      position: fixed;
      inset: 0;
      z-index: 10;
      background: #fff;
      overflow: hidden;
      font-size: min(3.34vh, 1.88vw);
    }
    .slide {
      box-sizing: border-box;
      height: 100vh;
      width: 100vw;
      padding: 0.6em 1.2em 0.5em;
      display: grid;
      grid-template-rows: auto auto minmax(0, 1fr) auto;
      gap: 0.4em;
    }
    .slide header {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      column-gap: 1.2em;
    }
    .slide h1 {
      font-size: 1.3em;
      margin: 0;
      flex: none;
    }
    .slide .scene-num {
      font-size: 0.8em;
    }
    /* Beside the title when there is room for it, on its own line below a long title otherwise. */
    .slide .key-line {
      flex: 1 1 20em;
    }
    .slide .key-line p {
      margin: 0;
    }
    .slide .main {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: 1em;
      min-height: 0;
    }
    .slide .views {
      height: 100%;
      gap: 1em;
      /* Panel titles, tick labels and keys as large as the rest of the text. */
      --frame-font: 1em;
      --frame-small-font: 1em;
      --frame-key-display: none;
    }
    /* A recording's label on a slide: tight around its text (which stays at the slide's 24 px
       minimum), the views need the height. */
    .slide .notice.recording {
      line-height: 1.25;
      padding: 0.15em 0.7em;
      margin: 0 0 0.3em;
    }
    .slide aside {
      min-height: 0;
      overflow: hidden;
    }
    .slide aside .look-for {
      margin: 0 0 0.6em;
      padding: 0.3em 0.7em;
      line-height: 1.35;
    }
    .slide aside .look-for > div {
      margin-top: 0.4em;
    }
    .slide footer {
      display: flex;
      flex-wrap: wrap;
      justify-content: space-between;
      gap: 0.4em 1em;
      align-items: center;
    }
    .slide nav.scenes {
      margin: 0;
    }
    .slide nav.scenes ol {
      display: none;
    }
    .slide .controls {
      margin: 0;
    }
  `,
];

/** A control that shows the app store: it re-renders whenever the store changes. */
import { LitElement } from 'lit';
import { property } from 'lit/decorators.js';
import { StoreController, type AppStore } from '../state/store';

export class StoreElement extends LitElement {
  @property({ attribute: false }) store!: AppStore;
  private controller: StoreController | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    // The store is set by the parent before the element is connected.
    this.controller ??= new StoreController(this, this.store);
  }
}

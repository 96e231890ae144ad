/**
 * The attributes of `<tandem-offer>`, for typing it in frameworks (see `types/react.d.ts`,
 * `types/vue.d.ts` and docs/embedding.md).
 * @example const props: TandemOfferAttributes = { placement: 'dashboard' }
 */
export interface TandemOfferAttributes {
  /** Which placement's offer the element shows, e.g. `"dashboard"`. Changing it decides the new one. */
  placement: string;
}

/**
 * The `<tandem-offer>` element: a plain `HTMLElement` showing its placement's offer in an open
 * shadow root, defined by `init()`.
 * @example const el = document.querySelector('tandem-offer') // TandemOfferElement | null
 */
export type TandemOfferElement = HTMLElement;

// biome-ignore lint/complexity/noUselessEmptyExport: without it rollup-plugin-dts (with rollup ≥ 4.56) fails on `declare global`
export {};

declare global {
  interface HTMLElementTagNameMap {
    'tandem-offer': TandemOfferElement;
  }
}

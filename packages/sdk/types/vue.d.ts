/**
 * `<tandem-offer>` in Vue 3 templates (type-checked by vue-tsc / Vue - Official).
 * Vue must also be told it is a custom element, at compile time:
 * `vue({ template: { compilerOptions: { isCustomElement: (tag) => tag.startsWith('tandem-') } } })`.
 * @example
 * /// <reference types="@tandem/sdk/vue" />
 * // then, in a template: <tandem-offer placement="dashboard" />
 */
import type { DefineComponent } from 'vue';
import type { TandemOfferAttributes } from '../dist/index.js';

declare module 'vue' {
  interface GlobalComponents {
    'tandem-offer': DefineComponent<TandemOfferAttributes>;
  }
}

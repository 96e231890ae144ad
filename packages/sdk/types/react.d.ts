/**
 * `<tandem-offer>` in React's JSX (React 18 and 19, `@types/react` ≥ 18).
 * Load it once in the app, e.g. in `src/vite-env.d.ts` or any module:
 * @example
 * /// <reference types="@tandem/sdk/react" />
 * // then: <tandem-offer placement="dashboard" />
 */
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { TandemOfferAttributes, TandemOfferElement } from '../dist/index.js';

type TandemOfferProps = DetailedHTMLProps<HTMLAttributes<TandemOfferElement>, TandemOfferElement> & TandemOfferAttributes;

// React 19 types (and 18.2.7+) read `React.JSX` through `react/jsx-runtime`.
declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
      'tandem-offer': TandemOfferProps;
    }
  }
}

// Older React 18 types, and the classic `jsx: "react"` transform, read the global namespace.
declare global {
  namespace JSX {
    interface IntrinsicElements {
      'tandem-offer': TandemOfferProps;
    }
  }
}

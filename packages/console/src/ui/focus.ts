import { useEffect, useRef } from 'preact/hooks';

/**
 * A ref for a page's h1 that takes focus when the page appears (after sign-in,
 * navigation or a lazy load), so keyboard and screen-reader users land on it.
 * @example const h1 = useHeadingFocus(); return <h1 ref={h1} tabIndex={-1}>Offers</h1>;
 */
export function useHeadingFocus<T extends HTMLElement = HTMLHeadingElement>(ready = true) {
  const ref = useRef<T>(null);
  useEffect(() => {
    if (ready) ref.current?.focus();
  }, [ready]);
  return ref;
}

import { type Clock, clock as defaultClock } from '../clock.ts';

export const VIEWABLE_RATIO = 0.5;
export const VIEWABLE_MS = 1000;

/**
 * Calls `onViewable` once, after at least half of `element` has been in the viewport for one
 * continuous second while the page is visible. Dropping below half, or the page hiding, restarts
 * the second. Returns the function that stops watching.
 * @example const stop = watchViewable(box, () => track('exposure'))
 */
export function watchViewable(element: Element, onViewable: () => void, clock: Clock = defaultClock): () => void {
  if (typeof IntersectionObserver === 'undefined') return () => {};
  let inView = false;
  let timer: unknown;
  const reset = () => {
    clock.clear(timer);
    timer = undefined;
  };
  const check = () => {
    if (inView && document.visibilityState === 'visible') {
      timer ??= clock.set(() => {
        stop();
        onViewable();
      }, VIEWABLE_MS);
    } else reset();
  };
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) inView = entry.isIntersecting && entry.intersectionRatio >= VIEWABLE_RATIO;
      check();
    },
    { threshold: VIEWABLE_RATIO },
  );
  const stop = () => {
    reset();
    observer.disconnect();
    document.removeEventListener('visibilitychange', check);
  };
  observer.observe(element);
  document.addEventListener('visibilitychange', check);
  return stop;
}

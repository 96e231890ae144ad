import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { virtualClock } from '../testing/virtual-clock.ts';
import { watchViewable } from './exposure.ts';

/** A controllable IntersectionObserver: tests say how much of the element is visible. */
let observers: { cb: IntersectionObserverCallback; el?: Element; off: boolean }[] = [];
function show(ratio: number) {
  for (const o of observers) {
    if (o.off || !o.el) continue;
    o.cb([{ isIntersecting: ratio > 0, intersectionRatio: ratio, target: o.el } as IntersectionObserverEntry], {} as IntersectionObserver);
  }
}
let visibility: DocumentVisibilityState = 'visible';
function setVisibility(state: DocumentVisibilityState) {
  visibility = state;
  document.dispatchEvent(new Event('visibilitychange'));
}

beforeEach(() => {
  observers = [];
  visibility = 'visible';
  vi.spyOn(document, 'visibilityState', 'get').mockImplementation(() => visibility);
  vi.stubGlobal(
    'IntersectionObserver',
    class {
      o: (typeof observers)[number];
      constructor(cb: IntersectionObserverCallback, options: IntersectionObserverInit) {
        expect(options.threshold).toBe(0.5);
        this.o = { cb, off: false };
        observers.push(this.o);
      }
      observe(el: Element) {
        this.o.el = el;
      }
      disconnect() {
        this.o.off = true;
      }
    },
  );
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('viewable exposure', () => {
  it('fires after one continuous second with at least half of the box in view', async () => {
    const clock = virtualClock();
    const seen = vi.fn();
    watchViewable(document.createElement('div'), seen, clock);
    show(0.6);
    await clock.advance(999);
    expect(seen).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('less than half in view never counts', async () => {
    const clock = virtualClock();
    const seen = vi.fn();
    watchViewable(document.createElement('div'), seen, clock);
    show(0.49);
    await clock.advance(5000);
    expect(seen).not.toHaveBeenCalled();
  });

  it('scrolling out before the second is up restarts it', async () => {
    const clock = virtualClock();
    const seen = vi.fn();
    watchViewable(document.createElement('div'), seen, clock);
    show(1);
    await clock.advance(800);
    show(0.2);
    await clock.advance(500);
    show(0.7);
    await clock.advance(800);
    expect(seen).not.toHaveBeenCalled();
    await clock.advance(200);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('the page hiding interrupts the second; visible again restarts it', async () => {
    const clock = virtualClock();
    const seen = vi.fn();
    watchViewable(document.createElement('div'), seen, clock);
    show(1);
    await clock.advance(900);
    setVisibility('hidden');
    await clock.advance(5000);
    expect(seen).not.toHaveBeenCalled();
    setVisibility('visible');
    await clock.advance(999);
    expect(seen).not.toHaveBeenCalled();
    await clock.advance(1);
    expect(seen).toHaveBeenCalledTimes(1);
  });

  it('fires once, then stops observing', async () => {
    const clock = virtualClock();
    const seen = vi.fn();
    watchViewable(document.createElement('div'), seen, clock);
    show(1);
    await clock.advance(1000);
    show(0);
    show(1);
    await clock.advance(5000);
    expect(seen).toHaveBeenCalledTimes(1);
    expect(observers[0]!.off).toBe(true);
  });
});

/*
 * Tandem pre-load snippet: paste the minified build (dist/snippet.min.js) into the page's <head>.
 * It defines `window.tandem` whose methods queue their calls in `tandem.q` until the SDK has
 * loaded, and adds the SDK's async script tag with the data attributes below. Edit the values.
 */
((w, d, src, config) => {
  if (w.tandem) return;
  const t = { q: [] };
  w.tandem = t;
  for (const method of ['init', 'mount', 'identify', 'on', 'destroy']) {
    t[method] = (...args) => {
      t.q.push([method, ...args]);
    };
  }
  const s = d.createElement('script');
  s.async = true;
  s.src = src;
  for (const key in config) if (config[key] != null) s.setAttribute(`data-${key}`, config[key]);
  d.head.appendChild(s);
})(window, document, 'https://cdn.example.com/tandem/tandem.min.js', {
  'publishable-key': 'pk_live_REPLACE_ME',
  'api-url': 'https://tandem.example.com',
  'account-id': 'ACCOUNT_ID',
  identity: 'IDENTITY_JWT_FROM_YOUR_BACKEND',
  'user-id': null,
  locale: null,
  theme: null,
});

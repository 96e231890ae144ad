/** Keys and secrets of the throw-away server the e2e run starts (never used elsewhere). */
export const E2E = {
  publishableKey: 'pk_test_e2e',
  secretKey: 'sk_test_e2e',
  kid: 'e2e',
  identitySecret: 'e2e-identity-secret-at-least-32-characters',
  get api(): string {
    const v = process.env.E2E_API;
    if (!v) throw new Error('E2E_API is unset: run through `pnpm test:e2e` (global setup starts the server)');
    return v;
  },
  get site(): string {
    const v = process.env.E2E_SITE;
    if (!v) throw new Error('E2E_SITE is unset: run through `pnpm test:e2e` (global setup starts the site)');
    return v;
  },
};

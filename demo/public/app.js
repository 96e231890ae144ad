// Ledger's dashboard: plain browser JavaScript, no bundler. Tandem arrives by
// script tag; `window.tandem` is the pre-load snippet's queue until it does.
const app = document.getElementById('ledger-app').dataset;
const TANDEM_API = app.apiUrl;
const PUBLISHABLE_KEY = app.publishableKey;
const money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
const dateFmt = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric' });
const $ = (id) => document.getElementById(id);
/** The SDK global: the snippet's queue until tandem.min.js has loaded, then the real API. */
const tandem = () => window.tandem;

/** Same figures for the same account on every load. */
function rngFor(text) {
  let h = 2166136261;
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619);
  let s = h >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

function svg(tag, attrs) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  return node;
}

const PLAN_PRICES = { starter: 49, growth: 390, scale: 1500 };

function renderDashboard(account) {
  const rand = rngFor(account.id);
  const scale = account.arr / 5000;
  $('org-name').textContent = account.company;
  $('org-plan').textContent = `${account.plan[0].toUpperCase()}${account.plan.slice(1)} plan`;
  $('plan-name').textContent = `${account.plan[0].toUpperCase()}${account.plan.slice(1)}`;
  $('plan-price').textContent = `${money.format(PLAN_PRICES[account.plan] ?? 49)}/mo · ${account.daysSinceActivation} days with Ledger`;
  $('avatar').textContent = account.user.name
    .split(' ')
    .map((p) => p[0])
    .join('')
    .slice(0, 2);
  $('today').textContent = `Good morning, ${account.user.name.split(' ')[0]}`;
  $('story').textContent = account.story;

  const cash = Math.round(42000 * scale + rand() * 30000);
  const revenue = Math.round(18000 * scale + rand() * 9000);
  const outstanding = Math.round(6000 * scale + rand() * 5000);
  const expenses = Math.round(revenue * (0.55 + rand() * 0.25));
  const kpis = [
    ['Cash balance', money.format(cash), `+${(2 + rand() * 9).toFixed(1)}% vs last month`, 'up'],
    ['Revenue this month', money.format(revenue), `+${(1 + rand() * 14).toFixed(1)}%`, 'up'],
    ['Outstanding invoices', money.format(outstanding), `${3 + Math.floor(rand() * 9)} invoices`, 'flat'],
    ['Expenses this month', money.format(expenses), `−${(1 + rand() * 6).toFixed(1)}%`, 'down'],
  ];
  $('kpis').replaceChildren(
    ...kpis.map(([label, value, delta, trend]) =>
      el('div', { class: 'kpi' }, el('p', { class: 'kpi-label' }, label), el('p', { class: 'kpi-value' }, value), el('p', { class: `kpi-delta ${trend}` }, delta)),
    ),
  );

  const chart = $('chart');
  chart.replaceChildren();
  const months = 12;
  const values = Array.from({ length: months }, (_, i) => {
    const base = 0.45 + (i / months) * 0.35;
    return [base + rand() * 0.2, base * (0.55 + rand() * 0.3)];
  });
  for (let y = 40; y <= 160; y += 40) chart.append(svg('line', { x1: 0, x2: 600, y1: y, y2: y, class: 'grid-line' }));
  values.forEach(([inn, out], i) => {
    const x = 14 + i * 49;
    chart.append(svg('rect', { x, y: 180 - inn * 160, width: 18, height: inn * 160, rx: 3, class: 'bar-in' }));
    chart.append(svg('rect', { x: x + 20, y: 180 - out * 160, width: 18, height: out * 160, rx: 3, class: 'bar-out' }));
  });

  const customers = ['Northwind Traders', 'Bluebird Cafe', 'Atlas Freight', 'Pinecone Labs', 'Marlow & Sons', 'Kestrel Design', 'Tidewater Supply'];
  const statuses = [
    ['Paid', 'paid'],
    ['Due', 'due'],
    ['Overdue', 'overdue'],
    ['Draft', 'draft'],
  ];
  const now = Date.now();
  const rows = Array.from({ length: 6 }, (_, i) => {
    const issued = now - (i * 4 + Math.floor(rand() * 4)) * 86400000;
    const [label, cls] = statuses[i === 2 ? 2 : i > 3 ? 0 : Math.floor(rand() * 2)];
    return el(
      'tr',
      {},
      el('td', { class: 'mono' }, `INV-${1040 - i * 3}`),
      el('td', {}, customers[Math.floor(rand() * customers.length)]),
      el('td', {}, dateFmt.format(issued)),
      el('td', {}, dateFmt.format(issued + 30 * 86400000)),
      el('td', { class: 'num' }, money.format(Math.round((400 + rand() * 4800) * Math.max(scale, 0.3)))),
      el('td', {}, el('span', { class: `pill ${cls}` }, label)),
    );
  });
  $('invoices').replaceChildren(...rows);
}

function showInsights(state, detail) {
  const badge = $('insights-badge');
  badge.hidden = state === 'none';
  badge.textContent = state === 'paid' ? 'Active' : 'Trial';
  $('insights-status').textContent = detail;
  $('insights-status').dataset.state = state;
  $('subscribe-insights').hidden = state === 'paid';
}

async function main() {
  const accounts = await (await fetch('/api/accounts')).json();
  const wanted = new URLSearchParams(location.search).get('account');
  const account = accounts.find((a) => a.id === wanted) ?? accounts.find((a) => a.moment === 'day65') ?? accounts[0];

  const switcher = $('account-switcher');
  switcher.replaceChildren(
    ...accounts.map((a) => {
      const option = el('option', { value: a.id }, `${a.company} — ${a.daysSinceActivation} days`);
      option.selected = a.id === account.id;
      return option;
    }),
  );
  switcher.addEventListener('change', () => {
    location.search = `?account=${encodeURIComponent(switcher.value)}`;
  });
  renderDashboard(account);
  if (account.moment === 'attached') showInsights('paid', 'Insights is active on your plan.');
  if (account.trial) showInsights('trial', `Insights trial active until ${dateFmt.format(new Date(account.trial.endsAt))}.`);

  // Our backend mints the identity token; the browser only passes it on.
  const who = await (await fetch(`/api/identity?account=${encodeURIComponent(account.id)}`)).json();

  tandem().init({
    publishableKey: PUBLISHABLE_KEY,
    apiUrl: TANDEM_API,
    accountId: who.accountId,
    userId: who.userId,
    identity: who.identity,
    locale: 'en-US',
    theme: 'light',
    // The widget's call to action: provision the trial in our own backend.
    async onStartTrial(offer) {
      const res = await fetch('/api/trials', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ accountId: who.accountId, userId: who.userId, offerId: offer.offerId }),
      });
      if (!res.ok) throw new Error(`Trial provisioning failed (${res.status})`);
      const trial = await res.json();
      showInsights('trial', `Insights trial active until ${dateFmt.format(new Date(trial.endsAt))}.`);
      return trial;
    },
  });
  for (const [slot, placement] of [
    ['banner-slot', 'dashboard-banner'],
    ['offer-slot', 'dashboard-inline'],
  ]) {
    tandem().mount($(slot), { placement });
    new ResizeObserver(() => $(slot).classList.toggle('has-offer', $(slot).offsetHeight > 0)).observe($(slot));
  }

  // The "billing" action: in real life Stripe Checkout; here our backend plays Stripe's webhooks.
  $('subscribe-insights').addEventListener('click', async () => {
    const button = $('subscribe-insights');
    button.disabled = true;
    $('billing-result').textContent = 'Processing payment…';
    const res = await fetch('/api/billing/upgrade', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ accountId: who.accountId }),
    });
    const answer = await res.json();
    button.disabled = false;
    if (!res.ok) {
      $('billing-result').textContent = `Billing failed: ${answer.error?.message ?? res.status}`;
      return;
    }
    showInsights('paid', 'Insights is active on your plan.');
    $('billing-result').textContent = `Stripe webhooks delivered: ${answer.delivered.map((d) => `${d.type} → ${d.status}`).join(', ')}`;
  });
}

main().catch((err) => {
  $('story').textContent = `The demo could not start: ${err.message}`;
});

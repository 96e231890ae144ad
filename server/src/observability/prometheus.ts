/**
 * A tiny Prometheus text exposition (format 0.0.4): request counts and
 * latency per route, and event ingestion outcomes. Hand-written because the
 * handful of series here does not justify a dependency.
 */

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export type EventOutcome = 'accepted' | 'duplicate' | 'rejected';

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

function labels(obj: Record<string, string>): string {
  const parts = Object.entries(obj).map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/**
 * Counters and histograms kept in memory, rendered on GET /metrics.
 * @example metrics.observeRequest('POST', '/v1/decide', 200, 0.004); metrics.render();
 */
export class ServerMetrics {
  private readonly requests = new Map<string, { method: string; route: string; status: string; n: number }>();
  private readonly latency = new Map<string, Histogram>();
  private readonly events: Record<EventOutcome, number> = { accepted: 0, duplicate: 0, rejected: 0 };
  private readonly startedAt = Date.now() / 1000;

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${route} ${status}`;
    const r = this.requests.get(key);
    if (r) r.n++;
    else this.requests.set(key, { method, route, status: String(status), n: 1 });
    let h = this.latency.get(route);
    if (!h) {
      h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.latency.set(route, h);
    }
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }

  countEvents(outcome: EventOutcome, n: number): void {
    this.events[outcome] += n;
  }

  /** The exposition text. */
  render(): string {
    const out: string[] = [];
    out.push('# HELP tandem_http_requests_total HTTP requests by method, route and status.');
    out.push('# TYPE tandem_http_requests_total counter');
    for (const r of this.requests.values())
      out.push(`tandem_http_requests_total${labels({ method: r.method, route: r.route, status: r.status })} ${r.n}`);
    out.push('# HELP tandem_http_request_duration_seconds Request latency by route.');
    out.push('# TYPE tandem_http_request_duration_seconds histogram');
    for (const [route, h] of this.latency) {
      BUCKETS.forEach((b, i) => {
        out.push(`tandem_http_request_duration_seconds_bucket${labels({ route, le: String(b) })} ${h.counts[i]}`);
      });
      out.push(`tandem_http_request_duration_seconds_bucket${labels({ route, le: '+Inf' })} ${h.count}`);
      out.push(`tandem_http_request_duration_seconds_sum${labels({ route })} ${h.sum}`);
      out.push(`tandem_http_request_duration_seconds_count${labels({ route })} ${h.count}`);
    }
    out.push('# HELP tandem_events_total Events received by outcome (accepted, duplicate, rejected).');
    out.push('# TYPE tandem_events_total counter');
    for (const [outcome, n] of Object.entries(this.events)) out.push(`tandem_events_total${labels({ outcome })} ${n}`);
    out.push('# HELP tandem_process_start_time_seconds Start time of the process since the Unix epoch.');
    out.push('# TYPE tandem_process_start_time_seconds gauge');
    out.push(`tandem_process_start_time_seconds ${this.startedAt}`);
    return `${out.join('\n')}\n`;
  }
}

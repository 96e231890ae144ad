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

/** One route's request counts by status and its latency histogram. */
export class RouteMetrics {
  readonly statuses = new Map<number, number>();
  readonly latency: Histogram = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };

  constructor(
    readonly method: string,
    readonly route: string,
  ) {}

  observe(status: number, seconds: number): void {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    const h = this.latency;
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
  }
}

/**
 * Counters and histograms kept in memory, rendered on GET /metrics. Each route
 * asks for its handle once (`route`), so counting a request looks nothing up.
 * @example metrics.route('POST', '/v1/decide').observe(200, 0.004); metrics.render();
 */
export class ServerMetrics {
  private readonly routes = new Map<string, RouteMetrics>();
  private readonly events: Record<EventOutcome, number> = { accepted: 0, duplicate: 0, rejected: 0 };
  private readonly startedAt = Date.now() / 1000;
  /** Decide requests answered by the decide lane (decide-lane.ts) rather than Fastify's route. */
  decideLane = 0;

  /** The counters of one method and route (`unmatched` for requests no route took). */
  route(method: string, route: string): RouteMetrics {
    const key = `${method} ${route}`;
    let r = this.routes.get(key);
    if (!r) {
      r = new RouteMetrics(method, route);
      this.routes.set(key, r);
    }
    return r;
  }

  countEvents(outcome: EventOutcome, n: number): void {
    this.events[outcome] += n;
  }

  /** The exposition text. */
  render(): string {
    const out: string[] = [];
    out.push('# HELP tandem_http_requests_total HTTP requests by method, route and status.');
    out.push('# TYPE tandem_http_requests_total counter');
    for (const r of this.routes.values())
      for (const [status, n] of r.statuses)
        out.push(`tandem_http_requests_total${labels({ method: r.method, route: r.route, status: String(status) })} ${n}`);
    out.push('# HELP tandem_http_request_duration_seconds Request latency by route.');
    out.push('# TYPE tandem_http_request_duration_seconds histogram');
    // One histogram per route, whatever its methods (as the series' labels say).
    const byRoute = new Map<string, Histogram>();
    for (const r of this.routes.values()) {
      const h = byRoute.get(r.route);
      if (!h) byRoute.set(r.route, { counts: [...r.latency.counts], sum: r.latency.sum, count: r.latency.count });
      else {
        for (let i = 0; i < BUCKETS.length; i++) h.counts[i]! += r.latency.counts[i]!;
        h.sum += r.latency.sum;
        h.count += r.latency.count;
      }
    }
    for (const [route, h] of byRoute) {
      if (h.count === 0) continue;
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
    out.push('# HELP tandem_decide_lane_requests_total POST /v1/decide requests answered in front of Fastify (also counted in tandem_http_requests_total).');
    out.push('# TYPE tandem_decide_lane_requests_total counter');
    out.push(`tandem_decide_lane_requests_total ${this.decideLane}`);
    out.push('# HELP tandem_process_start_time_seconds Start time of the process since the Unix epoch.');
    out.push('# TYPE tandem_process_start_time_seconds gauge');
    out.push(`tandem_process_start_time_seconds ${this.startedAt}`);
    return `${out.join('\n')}\n`;
  }
}

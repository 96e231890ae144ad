import { describe, expect, it } from 'vitest';
import { ServerMetrics } from './prometheus.ts';

describe('ServerMetrics', () => {
  it('counts requests by method, route and status, and keeps one latency histogram per route', () => {
    const m = new ServerMetrics();
    const decide = m.route('POST', '/v1/decide');
    decide.observe(200, 0.004);
    decide.observe(200, 0.02);
    decide.observe(401, 0.0005);
    expect(m.route('POST', '/v1/decide')).toBe(decide);
    m.route('GET', '/v1/offers/:id').observe(200, 0.003);
    m.route('DELETE', '/v1/offers/:id').observe(204, 2);
    m.route('GET', 'unmatched').observe(404, 0.0001);
    const text = m.render();
    expect(text).toContain('tandem_http_requests_total{method="POST",route="/v1/decide",status="200"} 2\n');
    expect(text).toContain('tandem_http_requests_total{method="POST",route="/v1/decide",status="401"} 1\n');
    expect(text).toContain('tandem_http_requests_total{method="GET",route="unmatched",status="404"} 1\n');
    expect(text).toContain('tandem_http_request_duration_seconds_bucket{route="/v1/decide",le="0.001"} 1\n');
    expect(text).toContain('tandem_http_request_duration_seconds_bucket{route="/v1/decide",le="0.005"} 2\n');
    expect(text).toContain('tandem_http_request_duration_seconds_bucket{route="/v1/decide",le="+Inf"} 3\n');
    expect(text).toContain('tandem_http_request_duration_seconds_count{route="/v1/decide"} 3\n');
    // Both methods of one route land in the route's histogram.
    expect(text).toContain('tandem_http_request_duration_seconds_bucket{route="/v1/offers/:id",le="0.005"} 1\n');
    expect(text).toContain('tandem_http_request_duration_seconds_count{route="/v1/offers/:id"} 2\n');
    expect(text).toContain('tandem_http_request_duration_seconds_sum{route="/v1/offers/:id"} 2.003\n');
    // A route asked for but never observed has no series yet.
    m.route('PUT', '/v1/accounts/:id');
    expect(m.render()).not.toContain('/v1/accounts/:id');
  });

  it('escapes label values', () => {
    const m = new ServerMetrics();
    m.route('GET', 'a"b\\c').observe(200, 0.001);
    expect(m.render()).toContain('route="a\\"b\\\\c"');
  });
});

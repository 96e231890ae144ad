/**
 * CSV export of an attach answer (RFC 4180: CRLF line ends, fields quoted when
 * they hold a comma, quote, CR or LF, quotes doubled).
 */
import type { AttachAnswer } from './attach.ts';

export const ATTACH_CSV_HEADER = ['section', 'cohort', 'day', 'key', 'offer_id', 'arm', 'base', 'attached', 'rate'] as const;

/** @example csvField('a,"b"') // '"a,""b"""' */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = typeof value === 'number' ? String(value) : value;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/**
 * One row per cohort point (`section` = cohort) and per breakdown group
 * (`section` = breakdown), after the overall row.
 * @example attachCsv(attachReport(facts, options))
 */
export function attachCsv(answer: AttachAnswer): string {
  const rows: (string | number | null | undefined)[][] = [[...ATTACH_CSV_HEADER]];
  const o = answer.overall;
  rows.push(['overall', null, null, null, null, null, o.base, o.attached, o.rate]);
  for (const c of answer.cohorts) {
    for (const p of c.points) rows.push(['cohort', c.cohort, p.day, null, null, null, p.base, p.attached, p.rate]);
  }
  for (const b of answer.breakdown) rows.push(['breakdown', null, null, b.key, b.offerId, b.arm, b.base, b.attached, b.rate]);
  return rows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
}

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, EVENT_REJECTION_CODES, HttpError } from './errors.ts';

const API_DOC = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');

describe('error registry', () => {
  it.each(Object.entries(ERROR_CODES))('documents `%s` with its status in docs/api.md', (code, { status }) => {
    expect(API_DOC).toMatch(new RegExp(`\\| \`${code}\` \\| ${status} \\|`));
  });

  it.each(Object.keys(EVENT_REJECTION_CODES))('documents the event refusal `%s` in docs/api.md', (code) => {
    expect(API_DOC).toMatch(new RegExp(`\\| \`${code}\` \\| [A-Z]`));
  });

  it('keeps each code at the status the registry gives it', () => {
    for (const [code, { status }] of Object.entries(ERROR_CODES)) expect(status >= 400 && status < 600, code).toBe(true);
    const err = new HttpError(404, 'not_found', 'offer "x" does not exist');
    expect([err.status, err.code, err.message]).toEqual([404, 'not_found', 'offer "x" does not exist']);
  });
});

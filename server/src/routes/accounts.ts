/** PUT /v1/accounts/:id and POST /v1/accounts/batch — the vendor's backend reports its accounts. */
import type { Account } from '@tandem/core';
import type { App, AppContext } from '../context.ts';
import { badRequest } from '../errors.ts';
import { AccountBody, AccountParams, AccountsBatchBody } from '../schemas/api.ts';
import { errorResponses } from '../schemas/common.ts';

function toAccount(id: string, body: Omit<AccountBody, 'id'>): Account {
  return { ...body, id } as Account;
}

export function accountRoutes(app: App, ctx: AppContext): void {
  app.put(
    '/v1/accounts/:id',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['accounts'],
        summary: 'Create or replace one account',
        security: [{ bearer: [] }],
        params: AccountParams,
        body: AccountBody,
        response: errorResponses(400, 401, 403, 413, 429),
      },
    },
    async (req) => {
      const { id } = req.params;
      const { id: bodyId, ...fields } = req.body;
      if (bodyId !== undefined && bodyId !== id)
        throw badRequest(`body/id ${JSON.stringify(bodyId)} does not match the path id ${JSON.stringify(id)}`);
      await ctx.store.upsertAccounts([toAccount(id, fields)], ctx.now());
      return (await ctx.store.getAccount(id)) ?? toAccount(id, fields);
    },
  );

  app.post(
    '/v1/accounts/batch',
    {
      config: { access: 'secret' },
      schema: {
        tags: ['accounts'],
        summary: 'Create or replace many accounts (the last of a repeated id wins)',
        security: [{ bearer: [] }],
        body: AccountsBatchBody,
        response: errorResponses(400, 401, 403, 413, 429),
      },
    },
    async (req) => {
      const byId = new Map<string, Account>();
      for (const { id, ...fields } of req.body.accounts) byId.set(id, toAccount(id, fields));
      const upserted = await ctx.store.upsertAccounts([...byId.values()], ctx.now());
      return { upserted, received: req.body.accounts.length };
    },
  );
}

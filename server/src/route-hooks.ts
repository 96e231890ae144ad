/**
 * Hooks attached to a route when it is registered (Fastify's `onRoute`), for
 * what depends on the route alone: the request then runs only the hooks its
 * route needs and never looks its route's options up (`req.routeOptions`
 * builds a new object on every read).
 */
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';

export type RouteHook = (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => void;

/** A route's hooks of one kind with `hook` appended (route hooks run after the app's own). */
export function withHook(existing: unknown, hook: RouteHook): RouteHook[] {
  if (existing === undefined || existing === null) return [hook];
  return Array.isArray(existing) ? [...(existing as RouteHook[]), hook] : [existing as RouteHook, hook];
}

export { destroy, identify, init, mount, on } from './api.ts';
export type { TandemOfferAttributes, TandemOfferElement } from './element-types.ts';
export type { EventMap, EventName, Handler } from './emitter.ts';
export { TandemDeliveryError, TandemError, TandemOptionError } from './errors.ts';
export type { Identity, InitOptions, Theme } from './options.ts';
export { $offers, $status, type Status } from './stores/index.ts';
export type { DecidedOffer, DecideResponse, OfferAction, OfferKind, TandemEvent } from '@tandem/core';

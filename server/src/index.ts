/** The server package's public API: build, configure and start a Tandem server. */
export { type BuildAppOptions, buildApp } from './app.ts';
export { generateKey, type KeyKind, sha256 } from './auth/keys.ts';
export { type Config, type ConfigProduct, ConfigError, DEFAULT_CONFIG_PATH, loadConfig, normalizeConfig } from './config.ts';
export type { App, AppContext } from './context.ts';
export { ERROR_CODES, type ErrorCode, EVENT_REJECTION_CODES, HttpError } from './errors.ts';
export { type Running, serve } from './main.ts';
export { openStore } from './store/index.ts';
export type { Store } from './store/types.ts';

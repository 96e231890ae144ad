/**
 * Start-up only: config → store → app → listen, and a graceful stop on
 * SIGTERM/SIGINT. `tandem serve` calls `serve()`.
 */
import type { Config } from './config.ts';
import { buildApp } from './app.ts';
import type { App } from './context.ts';
import { openStore } from './store/index.ts';
import type { Store } from './store/types.ts';

export interface Running {
  app: App;
  store: Store;
  url: string;
  stop(): Promise<void>;
}

/**
 * Opens and migrates the store, builds the app and listens. Prints
 * `tandem listening on http://HOST:PORT` once ready (the port is the real
 * one when 0 was asked for).
 * @example const running = await serve(loadConfig('tandem.config.json').config);
 */
export async function serve(
  config: Config,
  opts: { logger?: boolean | object; print?: (line: string) => void; handleSignals?: boolean } = {},
): Promise<Running> {
  const print = opts.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const store = openStore(config);
  await store.migrate();
  const app = await buildApp({ config, store, logger: opts.logger ?? { level: config.logLevel } });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      try {
        await app.close();
      } finally {
        await store.close();
      }
    })();
    return stopping;
  };
  if (opts.handleSignals !== false) {
    const onSignal = (signal: NodeJS.Signals) => {
      app.log.info({ signal }, 'shutting down');
      // A second signal while draining means "now".
      process.once(signal, () => process.exit(1));
      stop().then(
        () => process.exit(0),
        (err) => {
          app.log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  print(`tandem listening on ${url}`);

  // Fill the facts cache before the first report asks for it (a full read of
  // the state tables: about a second per 100k accounts), in the background and
  // in small steps so requests keep being served; a report meanwhile waits for it.
  const warmStart = performance.now();
  store.warmFacts().then(
    () => app.log.info({ ms: Math.round(performance.now() - warmStart) }, 'facts cache warm'),
    (err: unknown) => {
      if (!stopping) app.log.warn({ err }, 'facts cache warm-up failed; the first report loads it instead');
    },
  );
  return { app, store, url, stop };
}

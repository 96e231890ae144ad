/**
 * Every error the SDK creates. Only {@link TandemOptionError} is ever thrown (setup misuse);
 * the others reach the host through `on('error', handler)`.
 * @example
 * on('error', (e) => { if (e instanceof TandemDeliveryError) console.log(e.status, e.eventIds) })
 */
export class TandemError extends Error {
  /** Stable machine-readable code, e.g. `invalid_option`, `decide_failed`, `batch_dropped`. */
  code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'TandemError';
    this.code = code;
  }
}

/**
 * Thrown at once by `init`, `mount`, `identify` and `on` when they are called wrongly.
 * @example
 * try { init({ publishableKey: 42 }) } catch (e) { e.message } // "`publishableKey` must be …, got 42"
 */
export class TandemOptionError extends TandemError {
  constructor(message: string) {
    super('invalid_option', message);
    this.name = 'TandemOptionError';
  }
}

/**
 * Events the SDK gave up on: a batch the server refused (`400`, `413`, other `4xx`),
 * single events it rejected, or events too old / retried too often (`expired`).
 * @example
 * on('error', (e) => e instanceof TandemDeliveryError && e.eventIds.length)
 */
export class TandemDeliveryError extends TandemError {
  /** HTTP status of the answer that caused the drop, when there was one. */
  status: number | undefined;
  /** Ids of the dropped events. */
  eventIds: string[];
  constructor(code: string, message: string, status: number | undefined, eventIds: string[]) {
    super(code, message);
    this.name = 'TandemDeliveryError';
    this.status = status;
    this.eventIds = eventIds;
  }
}

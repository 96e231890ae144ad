/**
 * Progress of a long command on stderr: a bar redrawn in place on a terminal,
 * plain periodic lines otherwise (logs, CI), so stdout stays the result.
 */

export interface ProgressOptions {
  label: string;
  /** Total units (bytes of a file). */
  total: number;
  tty: boolean;
  /** Raw writer (no newline added): the in-place bar. */
  write: (chunk: string) => void;
  /** Line writer: the plain periodic lines. */
  line: (text: string) => void;
  now?: () => number;
  /** Least time between two plain lines (ms); default 5000. */
  plainEveryMs?: number;
}

const BAR = 28;

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(1)} MB`;
}

/**
 * @example const p = new Progress({ label: 'events.csv', total: size, tty: true, write, line }); p.update(bytes, rows); p.done(rows);
 */
export class Progress {
  private lastDraw = Number.NEGATIVE_INFINITY;
  private readonly started: number;
  private readonly now: () => number;

  constructor(private readonly o: ProgressOptions) {
    this.now = o.now ?? Date.now;
    this.started = this.now();
    if (!o.tty) o.line(`${o.label}: importing ${mb(o.total)}`);
  }

  update(done: number, rows: number): void {
    const t = this.now();
    if (this.o.tty) {
      if (t - this.lastDraw < 100) return;
      this.lastDraw = t;
      const share = this.o.total > 0 ? Math.min(1, done / this.o.total) : 1;
      const filled = Math.round(share * BAR);
      this.o.write(
        `\r${this.o.label} [${'█'.repeat(filled)}${'░'.repeat(BAR - filled)}] ${(share * 100).toFixed(0).padStart(3)}%  ${rows.toLocaleString('en-US')} rows  ${mb(done)}/${mb(this.o.total)}\u001b[K`,
      );
      return;
    }
    if (this.lastDraw === Number.NEGATIVE_INFINITY) this.lastDraw = this.started;
    if (t - this.lastDraw < (this.o.plainEveryMs ?? 5000)) return;
    this.lastDraw = t;
    const share = this.o.total > 0 ? Math.min(1, done / this.o.total) : 1;
    this.o.line(`${this.o.label}: ${(share * 100).toFixed(0)}% (${rows.toLocaleString('en-US')} rows, ${mb(done)} of ${mb(this.o.total)})`);
  }

  /** Ends the bar (or prints the closing line) with the elapsed time. */
  done(rows: number): void {
    const seconds = ((this.now() - this.started) / 1000).toFixed(1);
    if (this.o.tty) this.o.write(`\r\u001b[K`);
    this.o.line(`${this.o.label}: read ${rows.toLocaleString('en-US')} rows in ${seconds} s`);
  }
}

/**
 * Terminal output helpers shared by the commands: Kafka-style log lines,
 * colour only for a TTY without NO_COLOR, a spinner only on a TTY stderr, and a
 * buffered stdout writer that survives a closed pipe (`| head -5`).
 */
import { Chalk } from 'chalk';
import ora, { type Ora } from 'ora';

/** True when colour may be used on `stream` (a TTY and NO_COLOR unset, per no-color.org). */
export function colourEnabled(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env && process.env.NO_COLOR !== '');
}

/** chalk instance for stderr messages (level 0 = plain text when not allowed). */
export function stderrColours(): InstanceType<typeof Chalk> {
  return new Chalk({ level: colourEnabled(process.stderr) ? 1 : 0 });
}

/** Kafka's log4j timestamp: `2024-05-01 10:00:00,123` in local time. */
export function log4jTimestamp(date: Date = new Date()): string {
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())},${pad(date.getMilliseconds(), 3)}`;
}

/** One line in Kafka's `[%d] %p %m (%c)` layout. */
export function logLine(level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG', message: string, category: string): string {
  return `[${log4jTimestamp()}] ${level} ${message} (${category})`;
}

/** Prints the one-line error a failed command ends with (red on a colour terminal). */
export function printError(message: string): void {
  const colours = stderrColours();
  process.stderr.write(colours.red(message) + '\n');
}

/** Starts a spinner for a long wait, only when stderr is an interactive terminal. */
export function startSpinner(text: string): Ora | undefined {
  // a terminal reporting 0 columns (script(1) without a window size) would make ora's line count infinite
  if (!process.stderr.isTTY || process.env.CI || !process.stderr.columns) return undefined;
  return ora({ text, stream: process.stderr, isEnabled: colourEnabled(process.stderr) }).start();
}

/**
 * Collects output and writes it in large chunks, waiting for `drain` when the
 * pipe is full. Once stdout is closed by the reader (EPIPE) `closed` becomes true
 * and further writes are dropped, so callers can stop cleanly.
 */
export class BufferedWriter {
  private chunks: Buffer[] = [];
  private size = 0;
  private pendingDrain: Promise<void> | undefined;
  closed = false;
  onClosed: (() => void) | undefined;

  constructor(private readonly stream: NodeJS.WritableStream = process.stdout, private readonly highWater = 256 * 1024) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
        this.markClosed();
      } else {
        throw err;
      }
    });
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.chunks = [];
    this.size = 0;
    this.onClosed?.();
  }

  write(data: Buffer | string): void {
    if (this.closed) return;
    const buf = typeof data === 'string' ? Buffer.from(data) : data;
    this.chunks.push(buf);
    this.size += buf.length;
    if (this.size >= this.highWater) void this.flush();
  }

  /** Writes what is buffered; resolves when the stream accepted it (or is closed). */
  async flush(): Promise<void> {
    if (this.pendingDrain) await this.pendingDrain;
    if (this.closed || this.size === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks, this.size);
    this.chunks = [];
    this.size = 0;
    const ok = this.stream.write(data);
    if (!ok && !this.closed) {
      this.pendingDrain = new Promise<void>((resolve) => {
        const done = (): void => {
          this.stream.removeListener('drain', done);
          this.stream.removeListener('close', done);
          this.pendingDrain = undefined;
          resolve();
        };
        this.stream.once('drain', done);
        this.stream.once('close', done);
      });
      await this.pendingDrain;
    }
  }
}

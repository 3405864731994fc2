/**
 * Writes that must never leave half a record behind, and what a failing disk looks like
 * to the layers above.
 *
 * `writeFully` carries a write to its end (a short write is resumed) and is where a full
 * disk shows up: ENOSPC after part of the bytes landed. Callers undo the part (truncate)
 * before they rethrow. `DiskError` is the KAFKA_STORAGE_ERROR (56) that the log throws
 * for such a failure, so clients retry and refresh metadata, and coordinators map it as
 * Kafka does (NOT_COORDINATOR).
 *
 * Tests cannot always mount a small file system (it needs root), so `setWriteFaultForTests`
 * lets them make writes fail the same way: some bytes written, then ENOSPC.
 */
import { writeSync } from 'node:fs';
import { ErrorCode, KafkaError } from '../protocol/errors.js';

/** errno codes of a failing disk or file system: the write may succeed later. */
const DISK_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS', 'EFBIG']);

/** The errno code of a Node.js system error (`err.code`), or null. */
export function errnoOf(err: unknown): string | null {
  const code = (err as { code?: unknown } | null)?.code;
  return err instanceof Error && typeof code === 'string' ? code : null;
}

/** True for an I/O failure of the log dir (disk full, quota, read-only, I/O error). */
export function isDiskFailure(err: unknown): boolean {
  if (err instanceof DiskError) return true;
  const errno = errnoOf(err);
  return errno !== null && DISK_ERRNOS.has(errno);
}

/** A write to a log dir failed; nothing partial was left behind. */
export class DiskError extends KafkaError {
  constructor(
    readonly errno: string,
    what: string,
    readonly ioError: unknown,
  ) {
    super(ErrorCode.KAFKA_STORAGE_ERROR, `Disk error while ${what}: ${errno === 'ENOSPC' ? 'no space left on device' : 'I/O failure'} (${errno})`);
    this.name = 'DiskError';
  }
}

/** `err` as a DiskError when it is a disk failure; anything else unchanged. */
export function asDiskError(err: unknown, what: string): unknown {
  if (err instanceof DiskError || !isDiskFailure(err)) return err;
  return new DiskError(errnoOf(err) ?? 'EIO', what, err);
}

/** Decides whether a write fails: null lets it through; otherwise how many bytes land first, and the errno. */
export type WriteFault = (path: string, length: number) => { bytesBeforeFailure: number; errno?: string } | null;

let writeFault: WriteFault | null = null;

/** Test hook: make storage writes fail as a full disk does. null removes the hook. */
export function setWriteFaultForTests(fault: WriteFault | null): void {
  writeFault = fault;
}

function injectedError(errno: string, path: string): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(`${errno}: no space left on device, write`);
  err.code = errno;
  err.syscall = 'write';
  err.path = path;
  return err;
}

/**
 * Writes `length` bytes of `buf` from `offset` at `position` (null: the file position),
 * resuming short writes. Throws the write's error with an unknown number of bytes written.
 */
export function writeFully(fd: number, path: string, buf: Buffer, offset: number, length: number, position: number | null): void {
  const fault = writeFault?.(path, length) ?? null;
  const limit = fault ? Math.max(0, Math.min(fault.bytesBeforeFailure, length)) : length;
  let written = 0;
  while (written < limit) {
    written += writeSync(fd, buf, offset + written, limit - written, position === null ? null : position + written);
  }
  if (fault) throw injectedError(fault.errno ?? 'ENOSPC', path);
}

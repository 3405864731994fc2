/**
 * Kafka-style ids: topic ids and the cluster id are 16 random bytes shown as
 * URL-safe base64 without padding (22 characters), as Kafka's Uuid.toString does.
 */
import { randomBytes } from 'node:crypto';

const ID_BYTES = 16;

/** 22-char display form of 16 bytes. */
export function uuidToDisplay(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

/** True when the string is a 22-char URL-safe base64 id that decodes to 16 bytes. */
export function isDisplayUuid(id: string): boolean {
  return /^[A-Za-z0-9_-]{22}$/.test(id) && Buffer.from(id, 'base64url').length === ID_BYTES;
}

/** The all-zero id Kafka uses for "no topic id" (AAAAAAAAAAAAAAAAAAAAAA). */
export const ZERO_UUID = uuidToDisplay(new Uint8Array(ID_BYTES));

/**
 * A fresh random id, version-4 shaped like Java's UUID.randomUUID. Like Kafka's
 * Uuid.randomUuid it avoids the reserved all-zero / one ids and ids starting with
 * '-' (they would be mistaken for command-line options).
 */
export function randomUuid(): string {
  for (;;) {
    const bytes = randomBytes(ID_BYTES);
    bytes[6] = (bytes[6]! & 0x0f) | 0x40;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80;
    const id = uuidToDisplay(bytes);
    if (id !== ZERO_UUID && !id.startsWith('-') && id !== 'AAAAAAAAAAAAAAAAAAAAAQ') return id;
  }
}

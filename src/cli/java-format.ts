/**
 * How Kafka's Java tools print numbers, dates and maps, so that our perf and admin
 * tools print the same characters: `String.format("%.2f")` (HALF_UP on the shortest
 * decimal form of the double), `Double.toString`, `SimpleDateFormat`, and the
 * iteration order of a `java.util.HashMap` (LogDirsCommand and DeleteRecordsCommand
 * print maps in that order, not in the order the broker answered).
 */

/** Java's `%.<digits>f`: the shortest decimal digits of `value`, rounded HALF_UP. */
export function javaFixed(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  const negative = value < 0 || Object.is(value, -0);
  // toExponential() without an argument yields the shortest digits that round-trip
  const [mantissa, exponentText] = Math.abs(value).toExponential().split('e');
  const exponent = Number(exponentText);
  let digitsText = mantissa.replace('.', '');
  // position of the decimal point within digitsText
  let point = exponent + 1;
  if (point <= 0) {
    digitsText = '0'.repeat(1 - point) + digitsText;
    point = 1;
  }
  if (digitsText.length < point + digits) digitsText = digitsText.padEnd(point + digits, '0');
  let kept = digitsText.slice(0, point + digits);
  const next = digitsText.charCodeAt(point + digits);
  if (next >= 0x35 /* '5' */) {
    // HALF_UP: add one unit in the last kept place
    const chars = kept.split('');
    let i = chars.length - 1;
    for (; i >= 0; i--) {
      if (chars[i] === '9') {
        chars[i] = '0';
      } else {
        chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
        break;
      }
    }
    kept = chars.join('');
    if (i < 0) {
      kept = '1' + kept;
      point += 1;
    }
  }
  const integer = kept.slice(0, point).replace(/^0+(?=\d)/, '');
  const fraction = kept.slice(point);
  return `${negative ? '-' : ''}${integer}${digits > 0 ? '.' + fraction : ''}`;
}

/** Java's `Double.toString`: at least one fraction digit, `1.0E7` style outside [1e-3, 1e7). */
export function javaDoubleToString(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
  if (value === 0) return Object.is(value, -0) ? '-0.0' : '0.0';
  const abs = Math.abs(value);
  if (abs >= 1e-3 && abs < 1e7) {
    const text = String(value);
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mantissa, exponent] = value.toExponential().split('e');
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

/**
 * `new SimpleDateFormat(pattern).format(ms)` in local time, for the letters Kafka's tools
 * use (y, M, d, H, h, m, s, S, a) and '-quoted literals.
 */
export function simpleDateFormat(pattern: string, ms: number): string {
  const date = new Date(ms);
  let out = '';
  for (let i = 0; i < pattern.length;) {
    const c = pattern[i];
    if (c === "'") {
      const end = pattern.indexOf("'", i + 1);
      if (end === i + 1) {
        out += "'";
        i += 2;
        continue;
      }
      out += pattern.slice(i + 1, end < 0 ? pattern.length : end);
      i = end < 0 ? pattern.length : end + 1;
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      out += c;
      i += 1;
      continue;
    }
    let run = 1;
    while (pattern[i + run] === c) run += 1;
    const pad = (n: number): string => String(n).padStart(run, '0');
    switch (c) {
      case 'y': out += run === 2 ? String(date.getFullYear() % 100).padStart(2, '0') : pad(date.getFullYear()); break;
      case 'M': out += pad(date.getMonth() + 1); break;
      case 'd': out += pad(date.getDate()); break;
      case 'H': out += pad(date.getHours()); break;
      case 'h': out += pad(date.getHours() % 12 === 0 ? 12 : date.getHours() % 12); break;
      case 'm': out += pad(date.getMinutes()); break;
      case 's': out += pad(date.getSeconds()); break;
      case 'S': out += pad(date.getMilliseconds()); break;
      case 'a': out += date.getHours() < 12 ? 'AM' : 'PM'; break;
      default: out += c.repeat(run);
    }
    i += run;
  }
  return out;
}

/** Java's `String.hashCode()`. */
export function javaStringHash(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/** `TopicPartition.hashCode()`: 31 * (31 + partition) + topic.hashCode(). */
export function topicPartitionHash(topic: string, partition: number): number {
  return (Math.imul(31, 31 + partition) + javaStringHash(topic)) | 0;
}

/** Table size of a HashMap built with `new HashMap<>()` (16, doubling past 3/4 full) after `size` puts. */
export function growingHashMapCapacity(size: number): number {
  let capacity = 16;
  while (size > capacity * 0.75) capacity *= 2;
  return capacity;
}

/** Table size of `new HashMap<>(initialCapacity)` once `size` entries are in. */
export function presizedHashMapCapacity(initialCapacity: number, size: number): number {
  let capacity = tableSizeFor(initialCapacity);
  while (size > capacity * 0.75) capacity *= 2;
  return capacity;
}

/** Table size of `new HashMap<>(otherMap)` holding `size` entries. */
export function copiedHashMapCapacity(size: number): number {
  return size === 0 ? 16 : tableSizeFor(Math.floor(size / 0.75 + 1));
}

/** HashMap.tableSizeFor: the smallest power of two ≥ n (at least 1). */
export function tableSizeFor(n: number): number {
  let capacity = 1;
  while (capacity < n) capacity *= 2;
  return capacity;
}

/**
 * The order a `java.util.HashMap` of table size `capacity` iterates `items` in, given
 * their Java `hashCode()`s: by bucket (spread hash & (capacity-1)), insertion order
 * within a bucket.
 */
export function javaHashMapOrder<T>(items: readonly T[], hash: (item: T) => number, capacity: number): T[] {
  const bucket = (item: T): number => {
    const h = hash(item);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return items
    .map((item, index) => ({ item, index, bucket: bucket(item) }))
    .sort((a, b) => a.bucket - b.bucket || a.index - b.index)
    .map((entry) => entry.item);
}

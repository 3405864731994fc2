/**
 * The iteration order of a java.util.HashMap<String, String> holding `keys`. Kafka
 * Connect keeps a connector config read from a properties file in a HashMap, so the
 * REST API lists its keys in this order (`connector.class, file, tasks.max, name,
 * topic`), not the file's; configs sent as JSON keep their order (Jackson's
 * LinkedHashMap). Java's String.hashCode, HashMap's hash spreading and its table
 * growth at 0.75 load are reproduced; within a bucket, keys keep insertion order (no
 * bucket of eight collisions is ever treeified by configs this small).
 */
function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

export function javaHashMapOrder(keys: readonly string[]): string[] {
  let capacity = 16;
  while (keys.length > capacity * 0.75) capacity *= 2;
  const buckets = new Map<number, string[]>();
  for (const key of keys) {
    const h = javaStringHash(key);
    const index = (h ^ (h >>> 16)) & (capacity - 1);
    const bucket = buckets.get(index);
    if (bucket) bucket.push(key);
    else buckets.set(index, [key]);
  }
  return [...buckets.keys()].sort((a, b) => a - b).flatMap((i) => buckets.get(i) as string[]);
}

/** `record` with its keys in HashMap order. */
export function inJavaHashMapOrder(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(javaHashMapOrder(Object.keys(record)).map((k) => [k, record[k]]));
}

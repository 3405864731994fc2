/**
 * Shared by the topic admin handlers (CreateTopics, CreatePartitions,
 * DeleteTopics): the names a request gives more than once. Kafka's controller
 * acts on none of their entries and answers each such name once with
 * INVALID_REQUEST "Duplicate topic name.".
 */
export function duplicateNames(names: Iterable<string>): Set<string> {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) duplicates.add(name);
    else seen.add(name);
  }
  return duplicates;
}

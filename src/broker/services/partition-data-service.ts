/** Placeholder: produce/fetch access to partition logs (broker core). */
export interface PartitionDataService {
  readonly kind: 'partition-data-service';
}

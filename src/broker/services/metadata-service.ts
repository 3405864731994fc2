/** Placeholder: the cluster-metadata engineer defines MetadataService here. */
export interface MetadataService {
  readonly clusterId: string;
}

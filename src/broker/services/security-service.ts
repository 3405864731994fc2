/**
 * What the broker's security layer (src/broker/security) reads and writes in the cluster
 * metadata: SCRAM credentials and ACL bindings. Implemented by ClusterMetadata; writes go
 * through the metadata log as UserScramCredentialRecord / AccessControlEntryRecord and
 * their Remove* records (Kafka forwards these APIs to the controller likewise).
 */
import type { MetadataRecord } from '../../protocol/metadata-records.js';
import type { SecurityImage } from '../../metadata/security-image.js';

export interface SecurityStore {
  /** the committed SCRAM credentials and ACLs */
  securityImage(): SecurityImage;
  /** appends the records as one batch; resolves once they are committed and applied */
  appendSecurityRecords(records: readonly MetadataRecord[]): Promise<void>;
}

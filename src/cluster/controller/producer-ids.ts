/**
 * Producer id blocks (KIP-730, Kafka's ProducerIdControlManager): the active controller
 * hands each broker a block of 1000 producer ids starting at the image's
 * `nextProducerId` and records the new high mark in a ProducerIdsRecord, so no two
 * brokers (and no broker after a restart) ever hand out the same id. The block is the
 * broker's once the record commits; replaying the log (or a snapshot) restores the mark.
 */
import { ErrorCode } from '../../protocol/errors.js';
import { metadataRecord, type MetadataImage, type MetadataRecord } from '../../metadata/index.js';

/** ProducerIdsBlock.PRODUCER_ID_BLOCK_SIZE */
export const PRODUCER_ID_BLOCK_SIZE = 1000;
/** Producer ids are int64 on the wire; ours stay exact JavaScript numbers. */
const MAX_PRODUCER_ID = BigInt(Number.MAX_SAFE_INTEGER);

export interface ProducerIdBlock {
  start: bigint;
  length: number;
}

export interface ProducerIdsDecision {
  errorCode: number;
  errorMessage?: string;
  records: MetadataRecord[];
  /** the block granted (once `records` commit); absent on error */
  block?: ProducerIdBlock;
}

/**
 * The next block for `brokerId`. `brokerEpoch` must be the broker's current registration
 * epoch (STALE_BROKER_EPOCH otherwise, as Kafka's checkBrokerEpoch); pass null to skip the
 * check (the single broker allocating for itself through its own log).
 */
export function allocateProducerIds(
  image: MetadataImage,
  brokerId: number,
  brokerEpoch: bigint | null,
  blockSize = PRODUCER_ID_BLOCK_SIZE,
): ProducerIdsDecision {
  if (brokerEpoch !== null) {
    const broker = image.brokers.get(brokerId);
    if (broker === undefined || broker.epoch !== brokerEpoch) {
      return {
        errorCode: ErrorCode.STALE_BROKER_EPOCH,
        errorMessage: `Broker ${brokerId} at epoch ${brokerEpoch} does not match its registration.`,
        records: [],
      };
    }
  }
  const start = image.producerIds.nextProducerId;
  const next = start + BigInt(blockSize);
  if (next > MAX_PRODUCER_ID) {
    return { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: 'Exhausted all producerIds as the next block would exceed the maximum producer id.', records: [] };
  }
  return {
    errorCode: ErrorCode.NONE,
    records: [metadataRecord('ProducerIdsRecord', { brokerId, brokerEpoch: brokerEpoch ?? -1n, nextProducerId: next })],
    block: { start, length: blockSize },
  };
}

/**
 * Raises the image's next producer id to at least `floor` (a single broker upgraded from
 * the per-broker block file: ids it handed out before stay below every new block).
 */
export function producerIdFloorRecords(image: MetadataImage, brokerId: number, floor: bigint): MetadataRecord[] {
  if (floor <= image.producerIds.nextProducerId) return [];
  return [metadataRecord('ProducerIdsRecord', { brokerId, brokerEpoch: -1n, nextProducerId: floor })];
}

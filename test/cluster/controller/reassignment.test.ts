/**
 * Partition reassignment in the controller (KIP-455): start with adding/removing replicas,
 * completion once the new replicas are in the ISR (driven by AlterPartition), cancel back
 * to the original replicas, and a target without new replicas done at once.
 */
import { describe, expect, it } from 'vitest';
import { applyRecords } from '../../../src/metadata/apply.js';
import { partitionsOf, type MetadataImage } from '../../../src/metadata/image.js';
import { reassignPartition } from '../../../src/cluster/controller/index.js';
import { alterPartition } from '../../../src/cluster/controller/alter-partition.js';
import { brokers, image, topic, TOPIC_IDS } from './helpers.js';

function partition(img: MetadataImage, index = 0) {
  return partitionsOf(img.topicsByName.get('t')!)[index]!;
}

/** The leader's AlterPartition (v2, by topic id) asking for `newIsr`, applied to the image. */
function leaderAsks(img: MetadataImage, newIsr: number[]): MetadataImage {
  const p = partition(img);
  const leader = img.brokers.get(p.leader)!;
  const decision = alterPartition(img, {
    brokerId: leader.id,
    brokerEpoch: leader.epoch,
    topics: [{ topicName: 't', topicId: TOPIC_IDS[0], partitions: [{ partitionIndex: 0, leaderEpoch: p.leaderEpoch, newIsr, newIsrWithEpochs: [], leaderRecoveryState: 0, partitionEpoch: p.partitionEpoch }] }],
  }, 2);
  return applyRecords(img, decision.records);
}

describe('partition reassignment', () => {
  const start = image(brokers([0, 1, 2]), topic('t', TOPIC_IDS[0], [{ replicas: [2, 0], leader: 2 }]));

  it('starts with the target first, the removed replicas after it, and adding/removing lists', () => {
    const moving = applyRecords(start, reassignPartition(start, 't', 0, [0, 1]));
    expect(partition(moving)).toMatchObject({ replicas: [0, 1, 2], isr: [2, 0], leader: 2, addingReplicas: [1], removingReplicas: [2] });
  });

  it('completes when the new replica joins the ISR: target replicas, ISR within them, the removed leader hands over', () => {
    const moving = applyRecords(start, reassignPartition(start, 't', 0, [0, 1]));
    const epoch = partition(moving).leaderEpoch;
    const done = leaderAsks(moving, [2, 0, 1]);
    expect(partition(done)).toMatchObject({ replicas: [0, 1], isr: [0, 1], leader: 0, leaderEpoch: epoch + 1, addingReplicas: [], removingReplicas: [] });
  });

  it('waits while a new replica is not in the ISR yet', () => {
    const wider = image(brokers([0, 1, 2, 3]), topic('t', TOPIC_IDS[0], [{ replicas: [2, 0], leader: 2 }]));
    const moving = applyRecords(wider, reassignPartition(wider, 't', 0, [0, 1, 3]));
    const partly = leaderAsks(moving, [2, 0, 1]);
    expect(partition(partly)).toMatchObject({ replicas: [0, 1, 3, 2], isr: [2, 0, 1], addingReplicas: [1, 3], removingReplicas: [2] });
  });

  it('a cancel takes the adding replicas out of replicas and ISR (the order is the merged one, as Kafka reverts it)', () => {
    const wider = image(brokers([0, 1, 2, 3]), topic('t', TOPIC_IDS[0], [{ replicas: [2, 0], leader: 2 }]));
    const moving = applyRecords(wider, reassignPartition(wider, 't', 0, [0, 1, 3]));
    const partly = leaderAsks(moving, [2, 0, 1]);
    const cancelled = applyRecords(partly, reassignPartition(partly, 't', 0, null));
    expect(partition(cancelled)).toMatchObject({ replicas: [0, 2], isr: [2, 0], leader: 2, addingReplicas: [], removingReplicas: [] });
  });

  it('a reorder or a shrink has nothing to copy and is done at once, leadership following the target', () => {
    const reordered = applyRecords(start, reassignPartition(start, 't', 0, [0, 2]));
    expect(partition(reordered)).toMatchObject({ replicas: [0, 2], isr: [2, 0], leader: 2, addingReplicas: [] });
    const shrunk = applyRecords(start, reassignPartition(start, 't', 0, [0]));
    expect(partition(shrunk)).toMatchObject({ replicas: [0], isr: [0], leader: 0 });
  });
});

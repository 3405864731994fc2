/**
 * What a broker does with each committed metadata batch (Kafka's
 * BrokerMetadataPublisher): logs of deleted topics are removed, a log is created for
 * every partition newly assigned to this broker (with its topic's configs), changed
 * topic configs reach the open logs, and the replica manager hears every partition
 * whose registration changed so it becomes leader or follower at the new leader epoch
 * (coordinators follow through its leadership listeners). Batches are handled one at a
 * time, in log order.
 */
import type { PartitionStateChange } from '../broker/replication/types.js';
import {
  configResourceKey,
  ConfigResourceType,
  partitionsOf,
  type MetadataImage,
  type TopicImage,
} from '../metadata/index.js';
import type { ClusterMetadata, PartitionLogStore } from './cluster-metadata.js';
import { readPartitionMetadata, writePartitionMetadata } from '../storage/partition-metadata.js';
import type { PartitionLog } from '../storage/partition-log.js';
import { existsSync } from 'node:fs';

/** The replica manager as the publisher drives it. */
export interface PublishedReplicas {
  applyPartitionStates(changes: readonly PartitionStateChange[]): void;
  removePartitions(partitions: ReadonlyArray<{ topic: string; partition: number }>): void;
}

export interface BrokerMetadataPublisherOptions {
  brokerId: number;
  metadata: ClusterMetadata;
  logs: PartitionLogStore;
  replicas: PublishedReplicas;
  log?: (line: string) => void;
}

export class BrokerMetadataPublisher {
  private tail: Promise<void> = Promise.resolve();
  private readonly logLine: (line: string) => void;

  constructor(private readonly options: BrokerMetadataPublisherOptions) {
    this.logLine = options.log ?? (() => {});
  }

  /** Starts reacting to committed batches (the image so far arrives first as one batch). */
  attach(): void {
    this.options.metadata.onCommittedBatch((image, previous) => {
      this.tail = this.tail.then(() => this.publish(image, previous)).catch((err: unknown) => {
        this.logLine(`ERROR [BrokerMetadataPublisher id=${this.options.brokerId}] Publishing metadata at offset ${image.provenance.lastContainedOffset} failed: ${(err as Error).stack ?? String(err)}`);
      });
    });
  }

  /**
   * Stray logs (Kafka's LogManager stray replica detection), once the broker has caught up
   * with the metadata: a local log whose topic is gone, which is no longer assigned here, or
   * whose partition.metadata names another topic id (deleted and created again while this
   * broker was down) is removed. Only after catching up: a partial image would look like
   * deletions.
   */
  async removeStrayLogs(allLogs: readonly PartitionLog[]): Promise<void> {
    const { brokerId, logs, replicas, metadata } = this.options;
    await this.tail;
    const image = metadata.metadataImage();
    for (const log of allLogs) {
      const topic = image.topicsByName.get(log.topic);
      const assigned = topic?.partitions.get(log.partition)?.replicas.includes(brokerId) === true;
      const recordedId = typeof log.dir === 'string' ? readPartitionMetadata(log.dir)?.topicId : undefined;
      const sameTopic = recordedId === undefined || recordedId === topic?.topicId;
      if (assigned && sameTopic) continue;
      const why = topic === undefined ? 'its topic no longer exists' : !assigned ? 'it is no longer assigned to this broker' : `it belongs to an earlier topic ${log.topic} (id ${recordedId})`;
      this.logLine(`INFO [BrokerMetadataPublisher id=${brokerId}] Removing stray log ${log.topic}-${log.partition}: ${why}`);
      replicas.removePartitions([{ topic: log.topic, partition: log.partition }]);
      await logs.deleteLog(log.topic, log.partition);
      if (assigned && topic !== undefined) {
        // the current topic's replica starts empty and catches up from its leader
        const fresh = await logs.createLog(log.topic, log.partition, metadata.logConfigFor(log.topic));
        if (typeof fresh.dir === 'string' && existsSync(fresh.dir)) writePartitionMetadata(fresh.dir, topic.topicId, { durable: true });
        const p = topic.partitions.get(log.partition)!;
        replicas.applyPartitionStates([
          { topic: log.topic, topicId: topic.topicId, partition: p.partition, replicas: p.replicas, isr: p.isr, leader: p.leader, leaderEpoch: p.leaderEpoch, partitionEpoch: p.partitionEpoch },
        ]);
      }
    }
  }

  /** Resolves once every batch seen so far has been published. */
  idle(): Promise<void> {
    return this.tail;
  }

  async publish(image: MetadataImage, previous: MetadataImage): Promise<void> {
    const { brokerId, logs, replicas, metadata } = this.options;
    // deleted topics (or recreated under a new id): their local logs go
    const removed: { topic: string; partition: number }[] = [];
    for (const [topicId, topic] of previous.topicsById) {
      if (image.topicsById.has(topicId)) continue;
      for (const p of topic.partitions.values()) if (p.replicas.includes(brokerId)) removed.push({ topic: topic.name, partition: p.partition });
    }
    if (removed.length > 0) {
      replicas.removePartitions(removed);
      for (const { topic, partition } of removed) {
        if (image.topicsByName.has(topic)) continue; // recreated: the new topic's pass below replaces the log
        if (logs.getLog(topic, partition)) await logs.deleteLog(topic, partition);
      }
    }
    const changes: PartitionStateChange[] = [];
    for (const [topicId, topic] of image.topicsById) {
      const before: TopicImage | undefined = previous.topicsById.get(topicId);
      const key = configResourceKey(ConfigResourceType.TOPIC, topic.name);
      const configsChanged = previous.configs.get(key) !== image.configs.get(key);
      if (before === topic && !configsChanged) continue;
      const logConfig = metadata.logConfigFor(topic.name);
      for (const p of partitionsOf(topic)) {
        const old = before?.partitions.get(p.partition);
        const local = p.replicas.includes(brokerId);
        let log = logs.getLog(topic.name, p.partition);
        if (local && log !== undefined && configsChanged) log.updateConfig(logConfig);
        if (old === p) continue;
        if (local && log === undefined) {
          log = await logs.createLog(topic.name, p.partition, logConfig);
          if (typeof log.dir === 'string' && existsSync(log.dir)) writePartitionMetadata(log.dir, topicId, { durable: true });
        }
        if (local || old?.replicas.includes(brokerId)) {
          changes.push({
            topic: topic.name,
            topicId,
            partition: p.partition,
            replicas: p.replicas,
            isr: p.isr,
            leader: p.leader,
            leaderEpoch: p.leaderEpoch,
            partitionEpoch: p.partitionEpoch,
          });
        }
        if (!local && old?.replicas.includes(brokerId) && log !== undefined) {
          // moved away by a reassignment: stop serving it, then drop the copy
          replicas.removePartitions([{ topic: topic.name, partition: p.partition }]);
          await logs.deleteLog(topic.name, p.partition);
        }
      }
    }
    if (changes.length > 0) replicas.applyPartitionStates(changes);
  }
}

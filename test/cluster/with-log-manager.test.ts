/**
 * ClusterMetadata over storage's real LogManager on a temp dir: partition
 * directories follow topic lifecycle, topic configs reach open logs (also after
 * a restart, when logs were first opened with broker defaults), meta.properties
 * carries the cluster id, and logs without metadata are removed or adopted.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { brokerConfig } from '../../src/broker/config.js';
import { ConfigResourceType } from '../../src/broker/services/metadata-service.js';
import { ClusterMetadata } from '../../src/cluster/cluster-metadata.js';
import { LogManager, readMetaProperties } from '../../src/storage/log-manager.js';
import { defaultLogConfig } from '../../src/storage/partition-log.js';
import { removeTempDirs, tempDir } from './helpers.js';

afterAll(removeTempDirs);

async function start(dir: string) {
  const config = brokerConfig({ logDirs: [dir], brokerId: 0 });
  const logs = new LogManager([dir], defaultLogConfig());
  logs.loadLogs();
  const cluster = new ClusterMetadata({ config, logs });
  await cluster.load();
  return { cluster, logs };
}

describe('ClusterMetadata with LogManager', () => {
  it('creates, reconfigures and deletes partition directories', async () => {
    const dir = tempDir();
    const { cluster, logs } = await start(dir);
    await cluster.createTopic('real', { numPartitions: 2, replicationFactor: 1, configs: { 'segment.bytes': '100000' } });
    expect(fs.existsSync(path.join(dir, 'real-0'))).toBe(true);
    expect(fs.existsSync(path.join(dir, 'real-1'))).toBe(true);
    expect(cluster.getPartition('real', 1)?.log.config.segmentBytes).toBe(100000);

    await cluster.incrementalAlterConfigs(ConfigResourceType.TOPIC, 'real', [{ name: 'retention.ms', op: 'SET', value: '60000' }]);
    expect(logs.getLog('real', 0)?.config.retentionMs).toBe(60000);

    await cluster.deleteTopic('real');
    expect(fs.existsSync(path.join(dir, 'real-0'))).toBe(false);
    expect(logs.getLog('real', 0)).toBeUndefined();
    logs.shutdown();
  });

  it('after a restart, logs get their topic configs and meta.properties has the cluster id', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await first.cluster.createTopic('cfg', { numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': '1234' } });
    first.logs.shutdown();

    const second = await start(dir);
    expect(second.cluster.clusterId).toBe(first.cluster.clusterId);
    expect(second.logs.getLog('cfg', 0)?.config.retentionMs).toBe(1234);
    expect(readMetaProperties(dir)).toMatchObject({ clusterId: first.cluster.clusterId, brokerId: 0 });
    second.logs.shutdown();
  });

  it('removes logs of topics the metadata no longer knows; adopts logs when the snapshot is gone', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await first.cluster.createTopic('kept', { numPartitions: 2, replicationFactor: 1 });
    // a log left behind by a deletion interrupted by a crash
    first.logs.createLog('stray', 0, defaultLogConfig());
    first.logs.shutdown();

    const second = await start(dir);
    expect(fs.existsSync(path.join(dir, 'stray-0'))).toBe(false);
    expect(second.cluster.topic('kept')?.partitions).toHaveLength(2);
    second.logs.shutdown();

    fs.rmSync(path.join(dir, '__cluster_metadata-0'), { recursive: true });
    const third = await start(dir);
    expect(third.cluster.clusterId).toBe(first.cluster.clusterId);
    expect(third.cluster.topic('kept')?.partitions).toHaveLength(2);
    third.logs.shutdown();
  });
});

/**
 * KRaft metadata record framing (MetadataRecordSerde): frame version 1, record type,
 * record version as unsigned varints, then the flexible-version body. Known bytes are
 * computed by hand from TopicRecord.json and PartitionChangeRecord.json.
 */
import { describe, expect, it } from 'vitest';
import {
  decodeMetadataRecord,
  decodeRaftControlRecord,
  encodeMetadataRecord,
  encodeRaftControlRecord,
  metadataRecord,
  metadataRecordJson,
  metadataRecordName,
  metadataRecordTypeConstant,
  MetadataRecordType,
  type MetadataRecord,
} from '../../src/protocol/metadata-records.js';
import { ProtocolDecodeError, uuidToString } from '../../src/protocol/primitives.js';

const topicIdBytes = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');
const topicId = uuidToString(topicIdBytes);

describe('metadata record frames', () => {
  it('TopicRecord v0 is frame 1, type 2, version 0, compact name, uuid, no tagged fields', () => {
    const bytes = encodeMetadataRecord(metadataRecord('TopicRecord', { name: 'foo', topicId }));
    const expected = Buffer.concat([
      Buffer.from([0x01, 0x02, 0x00]), // frame version 1, TopicRecord, v0
      Buffer.from([0x04, 0x66, 0x6f, 0x6f]), // compact string "foo" (length + 1)
      topicIdBytes,
      Buffer.from([0x00]), // no tagged fields
    ]);
    expect(bytes.toString('hex')).toBe(expected.toString('hex'));
    expect(decodeMetadataRecord(expected)).toEqual({ type: 'TopicRecord', version: 0, data: { name: 'foo', topicId } });
  });

  it('PartitionChangeRecord writes only the fields that changed, as tagged fields in tag order', () => {
    const record = metadataRecord('PartitionChangeRecord', { partitionId: 3, topicId, isr: [1], leader: 1 }, 0);
    const expected = Buffer.concat([
      Buffer.from([0x01, 0x05, 0x00]),
      Buffer.from([0x00, 0x00, 0x00, 0x03]), // PartitionId
      topicIdBytes,
      Buffer.from([0x02]), // two tagged fields
      Buffer.from([0x00, 0x05, 0x02, 0x00, 0x00, 0x00, 0x01]), // tag 0 Isr: size 5, compact array [1]
      Buffer.from([0x01, 0x04, 0x00, 0x00, 0x00, 0x01]), // tag 1 Leader: size 4, 1
    ]);
    expect(encodeMetadataRecord(record).toString('hex')).toBe(expected.toString('hex'));
    // absent tagged fields decode to their defaults: null lists, leader -2 = no change
    const decoded = decodeMetadataRecord(expected);
    expect(decoded.type).toBe('PartitionChangeRecord');
    expect(decoded.data).toMatchObject({ partitionId: 3, isr: [1], leader: 1, replicas: null, leaderRecoveryState: -1 });
    const noLeader = decodeMetadataRecord(encodeMetadataRecord(metadataRecord('PartitionChangeRecord', { partitionId: 0, topicId })));
    expect(noLeader.data).toMatchObject({ leader: -2, isr: null });
  });

  it('round-trips every record type the image uses at its highest version', () => {
    const records: MetadataRecord[] = [
      metadataRecord('RegisterBrokerRecord', {
        brokerId: 1,
        incarnationId: topicId,
        brokerEpoch: 7n,
        endPoints: [{ name: 'PLAINTEXT', host: 'localhost', port: 9092, securityProtocol: 0 }],
        features: [{ name: 'metadata.version', minSupportedVersion: 1, maxSupportedVersion: 21 }],
        rack: null,
        fenced: false,
        inControlledShutdown: false,
        logDirs: [topicId],
      }),
      metadataRecord('UnregisterBrokerRecord', { brokerId: 1, brokerEpoch: 7n }),
      metadataRecord('PartitionRecord', { partitionId: 0, topicId, replicas: [1, 2], isr: [1], leader: 1, leaderEpoch: 4, partitionEpoch: 9, eligibleLeaderReplicas: [2], lastKnownElr: [] }),
      metadataRecord('ConfigRecord', { resourceType: 2, resourceName: 'foo', name: 'retention.ms', value: null }),
      metadataRecord('FenceBrokerRecord', { id: 1, epoch: 7n }),
      metadataRecord('UnfenceBrokerRecord', { id: 1, epoch: 7n }),
      metadataRecord('RemoveTopicRecord', { topicId }),
      metadataRecord('FeatureLevelRecord', { name: 'metadata.version', featureLevel: 21 }),
      metadataRecord('ProducerIdsRecord', { brokerId: 1, brokerEpoch: 7n, nextProducerId: 5000n }),
      metadataRecord('BrokerRegistrationChangeRecord', { brokerId: 1, brokerEpoch: 7n, fenced: -1, inControlledShutdown: 1 }),
      metadataRecord('NoOpRecord', {}),
    ];
    for (const record of records) {
      const bytes = encodeMetadataRecord(record);
      expect(bytes[1]).toBe(MetadataRecordType[record.type]);
      expect(decodeMetadataRecord(bytes)).toEqual(record);
    }
    expect(metadataRecordName(3)).toBe('PartitionRecord');
  });

  it("names record types as Kafka's MetadataRecordType constants", () => {
    expect(metadataRecordTypeConstant('TopicRecord')).toBe('TOPIC_RECORD');
    expect(metadataRecordTypeConstant('BrokerRegistrationChangeRecord')).toBe('BROKER_REGISTRATION_CHANGE_RECORD');
    // runs of capitals are not split (MessageGenerator.toSnakeCase)
    expect(metadataRecordTypeConstant('KRaftVersionRecord')).toBe('KRAFT_VERSION_RECORD');
    expect(metadataRecordJson(metadataRecord('FeatureLevelRecord', { name: 'metadata.version', featureLevel: 21 }))).toBe(
      '{"type":"FEATURE_LEVEL_RECORD","version":0,"data":{"name":"metadata.version","featureLevel":21}}',
    );
  });

  it('refuses frame version 0 (the 2.8 preview), unknown types and trailing garbage, as Kafka', () => {
    const good = encodeMetadataRecord(metadataRecord('RemoveTopicRecord', { topicId }));
    const frame0 = Buffer.from(good);
    frame0[0] = 0;
    expect(() => decodeMetadataRecord(frame0)).toThrow(/frame version 0/);
    expect(() => decodeMetadataRecord(Buffer.from([0x01, 0x63, 0x00]))).toThrow(ProtocolDecodeError);
    expect(() => decodeMetadataRecord(Buffer.concat([good, Buffer.from([0])]))).toThrow(/garbage/);
  });

  it('encodes raft control records with their control type in the key', () => {
    const header = encodeRaftControlRecord('SnapshotHeaderRecord', { lastContainedLogTimestamp: 1234n });
    expect(header.key.toString('hex')).toBe('00000003');
    // Version 0 (int16), LastContainedLogTimestamp (int64), no tagged fields
    expect(header.value.toString('hex')).toBe('0000' + '00000000000004d2' + '00');
    expect(decodeRaftControlRecord('SnapshotHeaderRecord', header.value)).toEqual({ version: 0, lastContainedLogTimestamp: 1234n });
    expect(encodeRaftControlRecord('SnapshotFooterRecord', {}).key.toString('hex')).toBe('00000004');
    const change = encodeRaftControlRecord('LeaderChangeMessage', { leaderId: 1, voters: [{ voterId: 1, voterDirectoryId: topicId }], grantingVoters: [] });
    expect(change.key.toString('hex')).toBe('00000002');
    expect(decodeRaftControlRecord('LeaderChangeMessage', change.value)).toMatchObject({ leaderId: 1, voters: [{ voterId: 1 }] });
  });
});

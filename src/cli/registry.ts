/** Every command the toolkit ships, in the order help and completions list them. */
import type { CliCommand } from './command.js';
import { command as brokerApiVersions } from './commands/kafka-broker-api-versions.js';
import { command as configs } from './commands/kafka-configs.js';
import { command as connectDistributed } from './commands/connect-distributed.js';
import { command as connectStandalone } from './commands/connect-standalone.js';
import { command as consoleConsumer } from './commands/kafka-console-consumer.js';
import { command as consoleProducer } from './commands/kafka-console-producer.js';
import { command as consumerGroups } from './commands/kafka-consumer-groups.js';
import { command as dumpLog } from './commands/kafka-dump-log.js';
import { command as getOffsets } from './commands/kafka-get-offsets.js';
import { command as producerPerfTest } from './commands/kafka-producer-perf-test.js';
import { command as consumerPerfTest } from './commands/kafka-consumer-perf-test.js';
import { command as deleteRecords } from './commands/kafka-delete-records.js';
import { command as logDirs } from './commands/kafka-log-dirs.js';
import { command as verifiableProducer } from './commands/kafka-verifiable-producer.js';
import { command as verifiableConsumer } from './commands/kafka-verifiable-consumer.js';
import { command as e2eLatency } from './commands/kafka-e2e-latency.js';
import { command as runClass } from './commands/kafka-run-class.js';
import { command as serverStart } from './commands/kafka-server-start.js';
import { command as serverStop } from './commands/kafka-server-stop.js';
import { command as storage } from './commands/kafka-storage.js';
import { command as topics } from './commands/kafka-topics.js';
import { command as zookeeperStart } from './commands/zookeeper-server-start.js';
import { command as zookeeperStop } from './commands/zookeeper-server-stop.js';

export const COMMANDS: readonly CliCommand[] = [serverStart, serverStop, topics, consoleProducer, consoleConsumer, consumerGroups, dumpLog, configs, getOffsets, brokerApiVersions, connectStandalone, connectDistributed, producerPerfTest, consumerPerfTest, deleteRecords, logDirs, verifiableProducer, verifiableConsumer, e2eLatency, runClass, storage, zookeeperStart, zookeeperStop];

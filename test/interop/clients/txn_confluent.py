#!/usr/bin/python3
"""Transactions with confluent-kafka-python (librdkafka) for test/interop/transactions-confluent.test.ts.

Subcommands print one JSON object per line on stdout:
  txn BOOTSTRAP TOPIC TRANSACTIONAL_ID
      commits 3 records ("committed-i"), emits {"committed": 3}; then writes 3 records
      ("aborted-i") in a second transaction, emits {"open": true} and waits for a line on
      stdin before aborting it; emits {"aborted": 3}
  consume BOOTSTRAP TOPIC ISOLATION   (read_committed | read_uncommitted)
      reads partition 0 from the beginning until end of partition, emits {"values": [...]}
"""
import json
import sys

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def txn(bootstrap, topic, transactional_id):
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "transactional.id": transactional_id,
        "transaction.timeout.ms": 60000,
    })
    producer.init_transactions(30)
    producer.begin_transaction()
    for i in range(3):
        producer.produce(topic, key="k%d" % i, value="committed-%d" % i, partition=0)
    producer.commit_transaction(30)
    emit({"committed": 3})

    producer.begin_transaction()
    for i in range(3):
        producer.produce(topic, key="k%d" % i, value="aborted-%d" % i, partition=0)
    producer.flush(30)
    emit({"open": True})
    sys.stdin.readline()
    producer.abort_transaction(30)
    emit({"aborted": 3})


def consume(bootstrap, topic, isolation):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": "txn-reader-" + isolation,
        "isolation.level": isolation,
        "enable.auto.commit": False,
        "enable.partition.eof": True,
    })
    consumer.assign([TopicPartition(topic, 0, 0)])
    values = []
    while True:
        msg = consumer.poll(10)
        if msg is None:
            emit({"error": "no end of partition within 10 s", "values": values})
            break
        if msg.error():
            if msg.error().code() == KafkaError._PARTITION_EOF:
                emit({"values": values})
                break
            emit({"error": str(msg.error())})
            break
        values.append(msg.value().decode("utf-8"))
    consumer.close()


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"txn": txn, "consume": consume}[command](*args)

#!/usr/bin/python3
"""confluent-kafka-python (Debian's python3-confluent-kafka, librdkafka 2.0.2)
driver for the interop tests.

Subcommands print one JSON object per line on stdout:
  produce BOOTSTRAP TOPIC CODEC PREFIX COUNT IDEMPOTENT(0|1)  -> {"produced": n}
  consume BOOTSTRAP TOPIC COUNT                -> {"record": {...}} per record (assigned, no commits)
  group BOOTSTRAP TOPIC GROUP STRATEGY INSTANCE_ID|-
                                               -> {"assigned": [...]} after every rebalance callback,
                                                  {"record": {...}}; commits synchronously after each
                                                  record; on stdin EOF closes, {"closed": true}
  offsets BOOTSTRAP TOPIC PARTITION SEEK       -> {"earliest": e, "latest": l, "byTime": o},
                                                  then the record at offset SEEK
"""
import json
import sys
import threading
import time

from confluent_kafka import Consumer, KafkaException, Producer, TopicPartition


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def text(b):
    return None if b is None else b.decode("utf-8")


def record(msg):
    return {
        "partition": msg.partition(),
        "offset": msg.offset(),
        "key": text(msg.key()),
        "value": text(msg.value()),
        "headers": {k: text(v) for k, v in (msg.headers() or [])},
    }


def produce(bootstrap, topic, codec, prefix, count, idempotent):
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "compression.type": codec,
        "enable.idempotence": idempotent == "1",
        "linger.ms": 20,
    })
    errors = []
    delivered = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))
        else:
            delivered.append(msg.offset())

    for i in range(int(count)):
        producer.produce(
            topic,
            key=("%s-k%d" % (prefix, i)).encode(),
            value=("%s-v%d" % (prefix, i)).encode(),
            headers=[("h", ("%s-h%d" % (prefix, i)).encode()), ("n", str(i).encode())],
            on_delivery=on_delivery,
        )
        producer.poll(0)
    remaining = producer.flush(20)
    if errors or remaining:
        sys.exit("delivery failed: %s (%d undelivered)" % (errors[:3], remaining))
    emit({"produced": len(delivered)})


def consume(bootstrap, topic, count):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "assign-only", "enable.auto.commit": False})
    md = consumer.list_topics(topic, timeout=10)
    consumer.assign([TopicPartition(topic, p, 0) for p in sorted(md.topics[topic].partitions)])
    seen = 0
    deadline = time.time() + 20
    while seen < int(count) and time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is None:
            continue
        if msg.error():
            sys.exit(str(msg.error()))
        emit({"record": record(msg)})
        seen += 1
    consumer.close()
    if seen < int(count):
        sys.exit("read %d of %s records" % (seen, count))


def group(bootstrap, topic, group_id, strategy, instance_id):
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    config = {
        "bootstrap.servers": bootstrap,
        "group.id": group_id,
        "partition.assignment.strategy": strategy,
        "enable.auto.commit": False,
        "auto.offset.reset": "earliest",
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 500,
    }
    if instance_id != "-":
        config["group.instance.id"] = instance_id
    consumer = Consumer(config)
    assigned = set()

    # With cooperative-sticky the callbacks carry only the increment; with eager
    # assignors, everything is revoked and then the whole assignment handed out.
    # The binding applies the (incremental) assign itself after each callback.
    def on_assign(c, partitions):
        assigned.update(tp.partition for tp in partitions)
        emit({"assigned": sorted(assigned), "added": sorted(tp.partition for tp in partitions), "protocol": c.rebalance_protocol() if hasattr(c, "rebalance_protocol") else None})

    def on_revoke(c, partitions):
        assigned.difference_update(tp.partition for tp in partitions)
        emit({"revoked": sorted(tp.partition for tp in partitions)})

    consumer.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke)
    while not stop.is_set():
        msg = consumer.poll(0.2)
        if msg is None:
            continue
        if msg.error():
            emit({"error": str(msg.error())})
            continue
        emit({"record": record(msg)})
        try:
            consumer.commit(message=msg, asynchronous=False)
        except KafkaException as e:
            emit({"commitError": str(e)})
    consumer.close()
    emit({"closed": True})


def offsets(bootstrap, topic, partition, seek):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "offsets-only", "enable.auto.commit": False})
    tp = TopicPartition(topic, int(partition))
    earliest, latest = consumer.get_watermark_offsets(tp, timeout=10)
    by_time = consumer.offsets_for_times([TopicPartition(topic, int(partition), 0)], timeout=10)[0].offset
    emit({"earliest": earliest, "latest": latest, "byTime": by_time})
    consumer.assign([TopicPartition(topic, int(partition), int(seek))])
    deadline = time.time() + 10
    while time.time() < deadline:
        msg = consumer.poll(0.5)
        if msg is not None and not msg.error():
            emit({"record": record(msg)})
            break
    consumer.close()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"produce": produce, "consume": consume, "group": group, "offsets": offsets}[cmd](*args)

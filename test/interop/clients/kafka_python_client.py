#!/usr/bin/python3
"""kafka-python (Debian's python3-kafka 2.0.2) driver for the interop tests.

Subcommands print one JSON object per line on stdout:
  produce BOOTSTRAP TOPIC CODEC PREFIX COUNT   -> {"produced": n}
  consume BOOTSTRAP TOPIC COUNT                -> {"record": {...}} per record (no group)
  group BOOTSTRAP TOPIC GROUP                  -> {"assigned": [...]}, {"record": {...}};
                                                  commits after every poll; on stdin EOF
                                                  commits, leaves the group, {"closed": true}
  offsets BOOTSTRAP TOPIC PARTITION SEEK       -> {"earliest": e, "latest": l, "byTime": o},
                                                  then the record at offset SEEK
"""
import json
import sys
import threading
import time

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.consumer.subscription_state import ConsumerRebalanceListener


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def text(b):
    return None if b is None else b.decode("utf-8")


def record(msg):
    return {
        "partition": msg.partition,
        "offset": msg.offset,
        "key": text(msg.key),
        "value": text(msg.value),
        "headers": {k: text(v) for k, v in (msg.headers or [])},
    }


def produce(bootstrap, topic, codec, prefix, count):
    producer = KafkaProducer(
        bootstrap_servers=bootstrap,
        compression_type=None if codec == "none" else codec,
        acks="all",
        linger_ms=20,
    )
    futures = []
    for i in range(int(count)):
        headers = [("h", ("%s-h%d" % (prefix, i)).encode()), ("n", str(i).encode())]
        futures.append(producer.send(topic, key=("%s-k%d" % (prefix, i)).encode(), value=("%s-v%d" % (prefix, i)).encode(), headers=headers))
    producer.flush()
    for f in futures:
        f.get(timeout=10)
    producer.close()
    emit({"produced": len(futures)})


def consume(bootstrap, topic, count):
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest")
    parts = None
    deadline = time.time() + 20
    while not parts and time.time() < deadline:
        parts = consumer.partitions_for_topic(topic)
        if not parts:
            time.sleep(0.1)
    consumer.assign([TopicPartition(topic, p) for p in sorted(parts)])
    seen = 0
    while seen < int(count) and time.time() < deadline:
        for batch in consumer.poll(timeout_ms=500).values():
            for msg in batch:
                emit({"record": record(msg)})
                seen += 1
    consumer.close()
    if seen < int(count):
        sys.exit("read %d of %s records" % (seen, count))


class Listener(ConsumerRebalanceListener):
    def __init__(self):
        self.assigned = set()

    def on_partitions_revoked(self, revoked):
        self.assigned -= {tp.partition for tp in revoked}

    def on_partitions_assigned(self, assigned):
        self.assigned |= {tp.partition for tp in assigned}
        emit({"assigned": sorted(self.assigned)})


def group(bootstrap, topic, group_id):
    stop = threading.Event()
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=group_id,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        heartbeat_interval_ms=500,
        session_timeout_ms=10000,
    )
    consumer.subscribe([topic], listener=Listener())
    while not stop.is_set():
        batches = consumer.poll(timeout_ms=200)
        for batch in batches.values():
            for msg in batch:
                emit({"record": record(msg)})
        if batches:
            consumer.commit()
    consumer.commit()
    consumer.close()
    emit({"closed": True})


def offsets(bootstrap, topic, partition, seek):
    tp = TopicPartition(topic, int(partition))
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False)
    consumer.assign([tp])
    earliest = consumer.beginning_offsets([tp])[tp]
    latest = consumer.end_offsets([tp])[tp]
    by_time = consumer.offsets_for_times({tp: 0})[tp]
    emit({"earliest": earliest, "latest": latest, "byTime": by_time.offset if by_time else None})
    consumer.seek(tp, int(seek))
    deadline = time.time() + 10
    while time.time() < deadline:
        batch = consumer.poll(timeout_ms=500, max_records=1).get(tp)
        if batch:
            emit({"record": record(batch[0])})
            break
    consumer.close()


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"produce": produce, "consume": consume, "group": group, "offsets": offsets}[cmd](*args)

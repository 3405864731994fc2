"""confluent-kafka-python over a secured listener: produce two records and read them back.

Usage: secure_confluent.py '<json client config>' <topic>
Prints one JSON line: {"values": [...]} or {"error": "..."}.
"""
import json
import sys

from confluent_kafka import Consumer, KafkaException, Producer

config = json.loads(sys.argv[1])
topic = sys.argv[2]
errors = []


def on_error(err):
    errors.append(str(err))


try:
    producer = Producer({**config, "error_cb": on_error, "message.timeout.ms": 10000})
    delivered = []
    for value in (b"one", b"two"):
        producer.produce(topic, value, on_delivery=lambda err, msg: delivered.append(err))
    producer.flush(15)
    failed = [str(e) for e in delivered if e is not None]
    if failed or len(delivered) != 2:
        print(json.dumps({"error": "; ".join(failed + errors) or "not delivered"}))
        sys.exit(0)
    consumer = Consumer({**config, "group.id": topic + "-group", "auto.offset.reset": "earliest", "error_cb": on_error})
    consumer.subscribe([topic])
    values = []
    for _ in range(60):
        msg = consumer.poll(0.5)
        if msg is None or msg.error():
            continue
        values.append(msg.value().decode())
        if len(values) == 2:
            break
    consumer.close()
    print(json.dumps({"values": values, "errors": errors}))
except KafkaException as exc:
    print(json.dumps({"error": str(exc) + "; " + "; ".join(errors)}))

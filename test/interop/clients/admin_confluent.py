#!/usr/bin/python3
"""confluent-kafka-python 1.7 (librdkafka 2.0.2) AdminClient driver for the
admin interop tests.

Usage: admin_confluent.py BOOTSTRAP STEP [STEP ...]
Each STEP is one admin call, its words joined by ':'. The steps run in order
over one AdminClient; each prints one JSON line on stdout:
  {"step": STEP, "ok": RESULT} or {"step": STEP, "error": ERROR_NAME, "errno": CODE}
(librdkafka reports Kafka error codes as they are on the wire.)

Steps:
  create:TOPIC:PARTITIONS:RF[:k=v...]   -> null once created
  validate:TOPIC:PARTITIONS:RF          -> the same with validate_only
  list                                  -> {"brokers": [ids], "controller": id, "topics": {name: partitions}}
  describe-configs:topic|broker:NAME    -> {name: value} of every entry
  alter-configs:topic|broker:NAME:k=v[:k=v...]
                                        -> null once altered
  create-partitions:TOPIC:TOTAL         -> null once done
  delete:TOPIC                          -> null once deleted
  groups                                -> sorted [{id, state, protocol_type, members}] (legacy list_groups)
"""
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def resource_type(word):
    return ConfigResource.Type.TOPIC if word == "topic" else ConfigResource.Type.BROKER


def pairs(words):
    return dict(w.split("=", 1) for w in words)


def one(futures):
    """The result of the only future of an admin call's {resource: future} map."""
    (future,) = futures.values()
    return future.result(timeout=20)


def run(admin, step):
    words = step.split(":")
    op, args = words[0], words[1:]
    if op in ("create", "validate"):
        topic = NewTopic(args[0], num_partitions=int(args[1]), replication_factor=int(args[2]), config=pairs(args[3:]))
        return one(admin.create_topics([topic], operation_timeout=10, validate_only=(op == "validate")))
    if op == "list":
        md = admin.list_topics(timeout=10)
        return {
            "brokers": sorted(md.brokers.keys()),
            "controller": md.controller_id,
            "topics": {name: len(t.partitions) for name, t in md.topics.items() if not name.startswith("__")},
        }
    if op == "describe-configs":
        entries = one(admin.describe_configs([ConfigResource(resource_type(args[0]), args[1])]))
        return {name: entry.value for name, entry in entries.items()}
    if op == "alter-configs":
        return one(admin.alter_configs([ConfigResource(resource_type(args[0]), args[1], set_config=pairs(args[2:]))]))
    if op == "create-partitions":
        return one(admin.create_partitions([NewPartitions(args[0], int(args[1]))], operation_timeout=10))
    if op == "delete":
        return one(admin.delete_topics([args[0]], operation_timeout=10))
    if op == "groups":
        groups = admin.list_groups(timeout=10)
        return sorted(
            ({"id": g.id, "state": g.state, "protocol_type": g.protocol_type, "members": len(g.members), "error": g.error.code() if g.error else 0}
             for g in groups),
            key=lambda g: g["id"],
        )
    raise ValueError("unknown step " + step)


def main():
    bootstrap, steps = sys.argv[1], sys.argv[2:]
    admin = AdminClient({"bootstrap.servers": bootstrap, "client.id": "admin-confluent"})
    for step in steps:
        try:
            emit({"step": step, "ok": run(admin, step)})
        except KafkaException as e:
            err = e.args[0]
            emit({"step": step, "error": err.name(), "errno": err.code()})


if __name__ == "__main__":
    main()

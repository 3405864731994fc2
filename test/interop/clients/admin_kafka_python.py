#!/usr/bin/python3
"""kafka-python 2.0.2 KafkaAdminClient driver for the admin interop tests.

Usage: admin_kafka_python.py BOOTSTRAP STEP [STEP ...]
Each STEP is one admin call, its words joined by ':'. The steps run in order
over one KafkaAdminClient; errors are reported, never raised, and each step
prints one JSON line on stdout:
  {"step": STEP, "ok": RESULT} or {"step": STEP, "error": ERROR_NAME, "errno": CODE}

Steps:
  controller                             -> the controller id the client settled on
  create:TOPIC:PARTITIONS:RF[:k=v...]    -> topic errors of the response, [[topic, code]]
  validate:TOPIC:PARTITIONS:RF           -> same, with validate_only
  list                                   -> sorted topic names
  describe:TOPIC[:TOPIC...]              -> [{topic, error, internal, partitions: n, leaders: [ids]}]
  describe-configs:topic|broker:NAME[:KEY...]
                                         -> {"error": code, "configs": {name: value}}
  alter-configs:topic|broker:NAME:k=v[:k=v...]
                                         -> [[error_code, resource_type, name]]
  create-partitions:TOPIC:TOTAL          -> [[topic, code]]
  delete:TOPIC[:TOPIC...]                -> [[topic, code]]
  groups                                 -> sorted [[group, protocol_type]]
  describe-group:GROUP                   -> {group, state, protocol_type, protocol, members: [...]}
  offsets:GROUP                          -> {"TOPIC/PARTITION": offset}
  delete-groups:GROUP[:GROUP...]         -> [[group, error_name]]
The *-raw steps send the request through the client's own codec and return
the response's per-topic entries as they came, even when they are errors
(the admin methods raise on the first one):
  create-raw:TOPIC[:TOPIC...]            -> [[topic, code, message]] (1 partition each)
  create-partitions-raw:TOPIC:TOTAL[:TOPIC:TOTAL...] -> [[topic, code, message]]
  delete-raw:TOPIC[:TOPIC...]            -> [[topic, code]]
"""
import json
import sys

from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient, NewPartitions, NewTopic
from kafka.errors import KafkaError
from kafka.protocol.admin import CreatePartitionsRequest, CreateTopicsRequest, DeleteTopicsRequest


def emit(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def resource_type(word):
    return ConfigResourceType.TOPIC if word == "topic" else ConfigResourceType.BROKER


def pairs(words):
    return dict(w.split("=", 1) for w in words)


def run(admin, step):
    words = step.split(":")
    op, args = words[0], words[1:]
    if op == "controller":
        return admin._controller_id
    if op in ("create", "validate"):
        topic = NewTopic(args[0], int(args[1]), int(args[2]), topic_configs=pairs(args[3:]))
        res = admin.create_topics([topic], timeout_ms=10000, validate_only=(op == "validate"))
        return [[t[0], t[1]] for t in res.topic_errors]
    if op == "list":
        return sorted(admin.list_topics())
    if op == "describe":
        return [
            {"topic": t["topic"], "error": t["error_code"], "internal": t["is_internal"], "partitions": len(t["partitions"]),
             "leaders": sorted({p["leader"] for p in t["partitions"]})}
            for t in admin.describe_topics(args)
        ]
    if op == "describe-configs":
        keys = args[2:]
        resource = ConfigResource(resource_type(args[0]), args[1], configs={k: None for k in keys} if keys else None)
        (res,) = admin.describe_configs([resource])
        (error_code, error_message, _type, _name, entries) = res.resources[0]
        return {"error": error_code, "configs": {e[0]: e[1] for e in entries}}
    if op == "alter-configs":
        resource = ConfigResource(resource_type(args[0]), args[1], configs=pairs(args[2:]))
        res = admin.alter_configs([resource])
        return [[r[0], r[2], r[3]] for r in res.resources]
    if op == "create-partitions":
        res = admin.create_partitions({args[0]: NewPartitions(int(args[1]))}, timeout_ms=10000)
        return [[t[0], t[1]] for t in res.topic_errors]
    if op == "delete":
        res = admin.delete_topics(args, timeout_ms=10000)
        return [[t[0], t[1]] for t in res.topic_error_codes]
    if op == "groups":
        return sorted([list(g) for g in admin.list_consumer_groups()])
    if op == "describe-group":
        (g,) = admin.describe_consumer_groups(args)
        return {
            "group": g.group, "state": g.state, "protocol_type": g.protocol_type, "protocol": g.protocol,
            "members": [
                {"client_id": m.client_id, "topics": sorted(m.member_metadata.subscription) if m.member_metadata else None,
                 "assignment": sorted([t, sorted(ps)] for t, ps in m.member_assignment.assignment) if m.member_assignment else None}
                for m in g.members
            ],
        }
    if op == "offsets":
        offsets = admin.list_consumer_group_offsets(args[0])
        return {"%s/%d" % (tp.topic, tp.partition): om.offset for tp, om in offsets.items()}
    if op == "delete-groups":
        return [[g, err.__name__] for g, err in admin.delete_consumer_groups(args)]
    if op == "create-raw":
        request = CreateTopicsRequest[3](create_topic_requests=[(t, 1, 1, [], []) for t in args], timeout=10000, validate_only=False)
        return [list(e) for e in raw(admin, request).topic_errors]
    if op == "create-partitions-raw":
        grow = [(args[i], (int(args[i + 1]), None)) for i in range(0, len(args), 2)]
        request = CreatePartitionsRequest[1](topic_partitions=grow, timeout=10000, validate_only=False)
        return [list(e) for e in raw(admin, request).topic_errors]
    if op == "delete-raw":
        return [list(e) for e in raw(admin, DeleteTopicsRequest[3](topics=args, timeout=10000)).topic_error_codes]
    raise ValueError("unknown step " + step)


def raw(admin, request):
    future = admin._send_request_to_node(admin._controller_id, request)
    admin._wait_for_futures([future])
    return future.value


def main():
    bootstrap, steps = sys.argv[1], sys.argv[2:]
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="admin-kafka-python", request_timeout_ms=15000)
    try:
        for step in steps:
            try:
                emit({"step": step, "ok": run(admin, step)})
            except KafkaError as e:
                emit({"step": step, "error": type(e).__name__, "errno": getattr(e, "errno", None)})
    finally:
        admin.close()


if __name__ == "__main__":
    main()

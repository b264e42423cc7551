"""confluent-kafka (librdkafka) against a Kafka door, for KafkaCompatLibrdkafkaTest.

  produce BOOTSTRAP TOPIC FIRST COUNT COMPRESSION
      COUNT keyed records with headers, numbered from FIRST, by the idempotent producer
      (enable.idempotence=true, acks=all); one JSON line per delivery report on stdout.
  consume BOOTSTRAP TOPIC PARTITIONS OFFSET COUNT
      Assigns partitions 0..PARTITIONS-1 from OFFSET (-2: the beginning, as OFFSET_BEGINNING), no
      group, reads COUNT records; one JSON line per record on stdout.
  group BOOTSTRAP TOPIC GROUP COUNT
      A consumer of GROUP subscribed to TOPIC (from the earliest offset where the group has no
      commit, auto commit off) reads COUNT records, polls a second more for any beyond them,
      commits synchronously and closes (LeaveGroup); one JSON line per record on stdout ("member"
      0), then one
      {"committed": {partition: offset}} with what the commit returned.
  split BOOTSTRAP TOPIC GROUP COUNT PARTITIONS
      Two consumers of GROUP subscribed to TOPIC, once the group has settled with partitions
      0..PARTITIONS-1 split between them, polled in turn, read COUNT records between them and a
      second more; one JSON line per record with "member" (0 or 1), then one
      {"assignments": [[partitions of member 0], [of member 1]], "described": [the group as
      AdminClient.list_groups gives it while both are in it]}.
  offsets BOOTSTRAP TOPIC PARTITIONS TIMESTAMP
      Per partition, the watermarks (get_watermark_offsets: ListOffsets earliest and latest) and
      the first offset at or after TIMESTAMP ms (offsets_for_times); one JSON line each.

Exits non-zero on any error; librdkafka's own logs go to stderr.
"""
import json
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient

DEADLINE_SECONDS = 45


def fail(message):
    print(message, file=sys.stderr)
    sys.exit(1)


def produce(bootstrap, topic, first, count, compression):
    producer = Producer({
        "bootstrap.servers": bootstrap,
        "enable.idempotence": True,
        "acks": "all",
        "compression.type": compression,
        "linger.ms": 5,
        "message.timeout.ms": DEADLINE_SECONDS * 1000,
    })
    errors = []

    def report(err, msg):
        if err is not None:
            errors.append(str(err))
            return
        print(json.dumps({"key": msg.key().decode(), "partition": msg.partition(), "offset": msg.offset()}))

    for i in range(first, first + count):
        producer.produce(topic, key="key-%d" % i, value="value %d \u00e9t\u00e9" % i,
                         headers=[("n", str(i).encode()), ("client", b"confluent-kafka")], on_delivery=report)
        producer.poll(0)
    remaining = producer.flush(DEADLINE_SECONDS)
    if remaining or errors:
        fail("not delivered: %d, errors: %s" % (remaining, errors))


def record(msg, **extra):
    if msg.error():
        raise KafkaException(msg.error())
    return json.dumps(dict(extra, **{
        "partition": msg.partition(),
        "offset": msg.offset(),
        "key": msg.key().decode(),
        "value": msg.value().decode(),
        "headers": [[k, v.decode()] for k, v in (msg.headers() or [])],
    }))


def group_consumer(bootstrap, group):
    return Consumer({
        "bootstrap.servers": bootstrap,
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 10000,
        "heartbeat.interval.ms": 500,
    })


def read_in_group(consumers, group_id, count):
    """Polls CONSUMERS in turn until they have read COUNT records and a second more, printing each with its member."""
    read = 0
    deadline = time.monotonic() + DEADLINE_SECONDS
    extra_until = None
    while extra_until is None or time.monotonic() < extra_until:
        if time.monotonic() > deadline:
            fail("read %d of %d records in group %s" % (read, count, group_id))
        for member, consumer in enumerate(consumers):
            for msg in consumer.consume(num_messages=1000, timeout=0.1):
                print(record(msg, member=member))
                read += 1
        if read >= count and extra_until is None:
            extra_until = time.monotonic() + 1


def group(bootstrap, topic, group_id, count):
    consumer = group_consumer(bootstrap, group_id)
    consumer.subscribe([topic])
    try:
        read_in_group([consumer], group_id, count)
        committed = consumer.commit(asynchronous=False)
        for tp in committed:
            if tp.error:
                raise KafkaException(tp.error)
        print(json.dumps({"committed": {str(tp.partition): tp.offset for tp in committed}}))
    finally:
        consumer.close()


def split(bootstrap, topic, group_id, count, partitions):
    consumers = [group_consumer(bootstrap, group_id) for _ in range(2)]
    assigned = [[], []]

    def listeners(member):
        # Each member holds its partitions paused until the group settles with both in it: a
        # second member joining late rebalances before anything is read, so none is read twice.
        def on_assign(consumer, tps):
            assigned[member] = [tp.partition for tp in tps]
            consumer.assign(tps)
            consumer.pause(tps)

        def on_revoke(consumer, tps):
            assigned[member] = []
            consumer.unassign()
        return {"on_assign": on_assign, "on_revoke": on_revoke}

    for member, consumer in enumerate(consumers):
        consumer.subscribe([topic], **listeners(member))
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while not (assigned[0] and assigned[1] and sorted(assigned[0] + assigned[1]) == list(range(partitions))):
            if time.monotonic() > deadline:
                fail("the group did not settle with both members: %s" % assigned)
            for consumer in consumers:
                msg = consumer.poll(0.1)
                if msg is not None:
                    fail("a record before the group settled: %s" % record(msg))
        for consumer in consumers:
            consumer.resume(consumer.assignment())
        read_in_group(consumers, group_id, count)
        print(json.dumps({"assignments": [sorted(tp.partition for tp in c.assignment()) for c in consumers],
                          "described": describe(bootstrap, group_id)}))
    finally:
        for consumer in consumers:
            consumer.close()


def describe(bootstrap, group_id):
    """The group as AdminClient.list_groups gives it (ListGroups, then DescribeGroups)."""
    groups = AdminClient({"bootstrap.servers": bootstrap}).list_groups(group_id, timeout=DEADLINE_SECONDS)
    return [{"id": g.id, "error": str(g.error) if g.error else None, "state": g.state, "protocol_type": g.protocol_type,
             "protocol": g.protocol, "members": sorted(m.client_id for m in g.members)} for g in groups]


def consume(bootstrap, topic, partitions, offset, count):
    consumer = Consumer({
        "bootstrap.servers": bootstrap,
        # Required by the client even without subscribe; never used: assign() needs no group.
        "group.id": "unused-assign-only",
        "enable.auto.commit": False,
        "enable.auto.offset.store": False,
    })
    start = OFFSET_BEGINNING if offset == -2 else offset
    consumer.assign([TopicPartition(topic, p, start) for p in range(partitions)])
    read = 0
    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while read < count:
            if time.monotonic() > deadline:
                fail("read %d of %d records" % (read, count))
            msg = consumer.poll(0.5)
            if msg is None:
                continue
            print(record(msg))
            read += 1
    finally:
        consumer.close()


def offsets(bootstrap, topic, partitions, timestamp):
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "unused-assign-only", "enable.auto.commit": False})
    try:
        by_time = consumer.offsets_for_times([TopicPartition(topic, p, timestamp) for p in range(partitions)],
                                             timeout=DEADLINE_SECONDS)
        for tp in by_time:
            if tp.error:
                raise KafkaException(tp.error)
            low, high = consumer.get_watermark_offsets(TopicPartition(topic, tp.partition), timeout=DEADLINE_SECONDS)
            print(json.dumps({"partition": tp.partition, "low": low, "high": high, "by_time": tp.offset}))
    finally:
        consumer.close()


def main(argv):
    command = argv[1]
    if command == "produce":
        produce(argv[2], argv[3], int(argv[4]), int(argv[5]), argv[6])
    elif command == "consume":
        consume(argv[2], argv[3], int(argv[4]), int(argv[5]), int(argv[6]))
    elif command == "group":
        group(argv[2], argv[3], argv[4], int(argv[5]))
    elif command == "split":
        split(argv[2], argv[3], argv[4], int(argv[5]), int(argv[6]))
    elif command == "offsets":
        offsets(argv[2], argv[3], int(argv[4]), int(argv[5]))
    else:
        fail("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv)

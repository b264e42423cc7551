// kafkajs against a Kafka door, for KafkaCompatKafkajsTest. kafkajs is found through NODE_PATH.
//
//   produce BOOTSTRAP TOPIC PARTITIONS FIRST COUNT [idempotent]
//       COUNT keyed records with headers, numbered from FIRST, record i to partition i % PARTITIONS,
//       gzip-compressed, acks all (kafkajs's default), by the idempotent producer when asked (kafkajs's
//       default is not idempotent); prints the send's result as one JSON line.
//   admin BOOTSTRAP TOPIC TIMESTAMP
//       fetchTopicMetadata, fetchTopicOffsets and fetchTopicOffsetsByTimestamp(TIMESTAMP ms) of
//       TOPIC, as one JSON line.
//   group BOOTSTRAP TOPIC GROUP COUNT [auto]
//       A consumer of GROUP subscribed to TOPIC (fromBeginning: the earliest offset where the group
//       has no commit) runs eachMessage until COUNT records and a second more, commits the offset
//       after the last record of each partition (commitOffsets, autoCommit off; with auto,
//       autoCommit on: kafkajs commits after each batch) and disconnects (LeaveGroup); the admin
//       client describes and lists the groups while the consumer is in its group, and fetches the
//       group's offsets after it left (OffsetFetch). One JSON line: { records, committed:
//       {partition: offset after the last record read}, described, listed, fetched }.
//
// stdout carries only the JSON answer; kafkajs's logs go to stderr. Exits non-zero on any error.
'use strict';

const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const [command, bootstrap, topic, ...rest] = process.argv.slice(2);

const kafka = new Kafka({
  clientId: 'strata-compat',
  brokers: [bootstrap],
  connectionTimeout: 10000,
  requestTimeout: 30000,
  retry: { retries: 3 },
  logLevel: logLevel.WARN,
  logCreator: () => ({ namespace, level, log }) => {
    const { message, ...extra } = log;
    process.stderr.write(`[${namespace}] ${message} ${JSON.stringify(extra)}\n`);
  },
});

async function produce(partitions, first, count, idempotent) {
  const producer = kafka.producer({ allowAutoTopicCreation: false, idempotent });
  await producer.connect();
  try {
    const messages = [];
    for (let i = first; i < first + count; i++) {
      messages.push({
        partition: i % partitions,
        key: `key-${i}`,
        value: `value ${i} \u00e9t\u00e9`,
        headers: { n: String(i), client: 'kafkajs' },
      });
    }
    const sent = await producer.send({ topic, compression: CompressionTypes.GZIP, acks: -1, messages });
    return sent;
  } finally {
    await producer.disconnect();
  }
}

async function admin(timestamp) {
  const client = kafka.admin();
  await client.connect();
  try {
    const metadata = await client.fetchTopicMetadata({ topics: [topic] });
    const offsets = await client.fetchTopicOffsets(topic);
    const byTime = await client.fetchTopicOffsetsByTimestamp(topic, timestamp);
    return { metadata, offsets, byTime };
  } finally {
    await client.disconnect();
  }
}

async function group(groupId, count, autoCommit) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 500, rebalanceTimeout: 10000 });
  const client = kafka.admin();
  await client.connect();
  try {
    const read = await readInGroup(consumer, client, groupId, count, autoCommit);
    read.fetched = await client.fetchOffsets({ groupId, topics: [topic] });
    return read;
  } finally {
    await client.disconnect();
  }
}

async function readInGroup(consumer, client, groupId, count, autoCommit) {
  await consumer.connect();
  const records = [];
  const next = {};
  let live;
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    let enough;
    const reached = new Promise((resolve) => { enough = resolve; });
    await consumer.run({
      autoCommit,
      eachMessage: async ({ partition, message }) => {
        const headers = Object.entries(message.headers || {}).map(([k, v]) => [k, v.toString()]);
        records.push({
          partition,
          offset: Number(message.offset),
          key: message.key.toString(),
          value: message.value.toString(),
          headers,
        });
        next[partition] = Math.max(next[partition] || 0, Number(message.offset) + 1);
        if (records.length >= count) {
          enough();
        }
      },
    });
    const deadline = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${records.length} of ${count} records in group ${groupId}`)), 45000);
      reached.then(() => clearTimeout(timer));
    });
    await Promise.race([reached, deadline]);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // The group as the admin sees it while the consumer is in it (DescribeGroups, ListGroups).
    live = { described: await client.describeGroups([groupId]), listed: await client.listGroups() };
    if (!autoCommit) {
      await consumer.commitOffsets(Object.entries(next).map(([partition, offset]) => (
        { topic, partition: Number(partition), offset: String(offset) })));
    }
  } finally {
    await consumer.disconnect();
  }
  return { records, committed: next, ...live };
}

async function main() {
  if (command === 'produce') {
    return produce(Number(rest[0]), Number(rest[1]), Number(rest[2]), rest[3] === 'idempotent');
  }
  if (command === 'admin') {
    return admin(Number(rest[0]));
  }
  if (command === 'group') {
    return group(rest[0], Number(rest[1]), rest[2] === 'auto');
  }
  throw new Error(`unknown command ${command}`);
}

main().then(
  (answer) => process.stdout.write(JSON.stringify(answer) + '\n'),
  (error) => {
    process.stderr.write(`${error.stack || error}\n`);
    process.exit(1);
  },
);

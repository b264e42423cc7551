// kafkajs against a Kafka door, for KafkaCompatKafkajsTest. kafkajs is found through NODE_PATH.
//
//   produce BOOTSTRAP TOPIC PARTITIONS FIRST COUNT [idempotent]
//       COUNT keyed records with headers, numbered from FIRST, record i to partition i % PARTITIONS,
//       gzip-compressed, acks all (kafkajs's default), by the idempotent producer when asked (kafkajs's
//       default is not idempotent); prints the send's result as one JSON line.
//   admin BOOTSTRAP TOPIC TIMESTAMP
//       fetchTopicMetadata, fetchTopicOffsets and fetchTopicOffsetsByTimestamp(TIMESTAMP ms) of
//       TOPIC, as one JSON line.
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

async function main() {
  if (command === 'produce') {
    return produce(Number(rest[0]), Number(rest[1]), Number(rest[2]), rest[3] === 'idempotent');
  }
  if (command === 'admin') {
    return admin(Number(rest[0]));
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

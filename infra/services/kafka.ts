import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { HOST, PORTS, homeDir, runDir } from './paths';
import { withLock } from './lock';
import { runStep, type Log } from './process';
import type { ServiceDef } from './service';

/**
 * The 3.9 line: kafkajs 2.2.4 speaks only old protocol versions, which Kafka 4.0 removed (KIP-896).
 * 3.9 runs KRaft, so no ZooKeeper.
 */
export const KAFKA_VERSION = '3.9.2';

const installDir = (): string => homeDir('kafka', KAFKA_VERSION);
const libsDir = (): string => join(installDir(), 'libs');

// The broker's own pom has no logging backend; reload4j is what the Kafka 3.9 distribution ships.
const pom = `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>strata.local</groupId><artifactId>kafka-runtime</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${KAFKA_VERSION}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
    <dependency><groupId>ch.qos.reload4j</groupId><artifactId>reload4j</artifactId><version>1.2.25</version></dependency>
  </dependencies>
</project>
`;

// WARN keeps the log readable; the broker logs every partition and config at INFO.
const log4j = `log4j.rootLogger=WARN, stdout
log4j.appender.stdout=org.apache.log4j.ConsoleAppender
log4j.appender.stdout.layout=org.apache.log4j.PatternLayout
log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaRaftServer=INFO
`;

function serverProperties(dataDir: string): string {
  return `process.roles=broker,controller
node.id=1
controller.quorum.voters=1@${HOST}:${PORTS.kafkaController}
listeners=PLAINTEXT://${HOST}:${PORTS.kafka},CONTROLLER://${HOST}:${PORTS.kafkaController}
advertised.listeners=PLAINTEXT://${HOST}:${PORTS.kafka}
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=${dataDir}
auto.create.topics.enable=true
num.partitions=4
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
log.retention.hours=24
`;
}

// Kafka's Uuid.randomUuid(): 16 random bytes, url-safe base64, never starting with '-' (CLI flags).
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

const java = (): string => (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');

function javaArgs(main: string, ...rest: string[]): string[] {
  const run = runDir('kafka');
  return [
    '-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-Djava.awt.headless=true',
    `-Dlog4j.configuration=file:${join(run, 'log4j.properties')}`, `-Dkafka.logs.dir=${run}`,
    '-cp', `${libsDir()}/*`, main, ...rest,
  ];
}

/** The marker holds the pom it was fetched from, so changing a version refetches. */
function fetched(): boolean {
  const marker = join(libsDir(), '.complete');
  return existsSync(marker) && readFileSync(marker, 'utf8') === pom;
}

async function fetchLibs(log: Log): Promise<void> {
  if (fetched()) return; // another process fetched it while we waited for the lock
  const t0 = Date.now();
  log(`kafka: fetching kafka_2.13 ${KAFKA_VERSION} and its dependencies from Maven Central (first run only)`);
  writeFileSync(join(installDir(), 'pom.xml'), pom);
  const tmp = join(installDir(), 'libs.tmp');
  rmSync(tmp, { recursive: true, force: true });
  await runStep('kafka', 'mvn', [
    '-B', '-q', '-f', join(installDir(), 'pom.xml'), `-Dmaven.repo.local=${homeDir('m2')}`,
    'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
    `-DoutputDirectory=${tmp}`, '-DincludeScope=runtime',
  ]);
  writeFileSync(join(tmp, '.complete'), pom);
  rmSync(libsDir(), { recursive: true, force: true });
  renameSync(tmp, libsDir()); // a rename, so an interrupted fetch is retried rather than half-used
  log(`kafka: ${readdirSync(libsDir()).length - 1} jars in ${libsDir()} (${Math.round((Date.now() - t0) / 1000)} s)`);
}

export const kafka: ServiceDef = {
  name: 'kafka',
  startTimeoutMs: 90_000,

  async install(log) {
    if (!fetched()) await withLock('kafka', log, () => fetchLibs(log));
  },

  async command() {
    const run = runDir('kafka');
    const dataDir = join(run, 'data');
    writeFileSync(join(run, 'server.properties'), serverProperties(dataDir));
    writeFileSync(join(run, 'log4j.properties'), log4j);
    if (!existsSync(join(dataDir, 'meta.properties'))) {
      await runStep('kafka', java(), javaArgs('kafka.tools.StorageTool', 'format', '--ignore-formatted',
        '-t', clusterId(), '-c', join(run, 'server.properties')));
    }
    return { command: java(), args: javaArgs('kafka.Kafka', join(run, 'server.properties')) };
  },

  async healthy() {
    const admin = new Kafka({
      clientId: 'strata-health', brokers: [`${HOST}:${PORTS.kafka}`], logLevel: logLevel.NOTHING,
      connectionTimeout: 1_000, requestTimeout: 2_000, retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      if ((await admin.describeCluster()).brokers.length === 0) return false;
      // Finding a group coordinator creates and loads __consumer_offsets; until that is done the
      // first consumer of every test run would crash and restart, so it is part of "up".
      await admin.describeGroups(['strata-health']);
      return true;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  },
};

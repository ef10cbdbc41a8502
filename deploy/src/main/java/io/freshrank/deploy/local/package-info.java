/**
 * The embedded default: everything Freshrank needs on one machine, started and stopped by the
 * project's own code (a real KRaft Kafka broker as a child JVM, a Flink MiniCluster on RocksDB, the
 * label-join and training jobs, a local model store and a ranking server), plus the demo that
 * drives it with the traffic simulator.
 */
package io.freshrank.deploy.local;

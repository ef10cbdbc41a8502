/**
 * Launcher side of the local Kafka broker: {@link io.freshrank.deploy.kafka.BrokerMain} runs in the
 * broker's child JVM.
 *
 * <p>This module resolves {@code kafka_2.13} with Maven and writes its runtime classpath to the
 * resource {@code io/freshrank/deploy/kafka/broker.classpath}. The deploy module depends on this
 * jar without its transitive dependencies, so the broker (Scala, server-side Kafka, their logging)
 * never lands on the classpath of the Flink jobs; {@code LocalKafkaBroker} in the deploy module
 * starts it as a separate JVM from that recorded classpath. The resource {@code
 * broker-log4j2.properties} sends the child's logs to the file named by the system property {@code
 * freshrank.kafka.log.file}, so the broker never writes to the parent's console.
 */
package io.freshrank.deploy.kafka;

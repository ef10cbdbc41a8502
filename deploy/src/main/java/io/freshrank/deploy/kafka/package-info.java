/**
 * The local runtime's Kafka: {@link io.freshrank.deploy.kafka.LocalKafkaBroker} runs a real
 * single-node KRaft broker in a child JVM for {@code ./freshrank demo} and the ITCases.
 *
 * <p>Why a child JVM from Maven-resolved jars rather than an embedded broker: the broker brings
 * Scala, server-side Kafka and its own logging, which must not meet Flink's classpath, and Kafka's
 * in-process {@code KafkaClusterTestKit} is internal test code. Module {@code deploy/kafka-broker}
 * records the broker's classpath and ships {@link io.freshrank.deploy.kafka.BrokerMain}, which
 * halts the broker when this JVM dies; this package only needs {@code kafka-clients}.
 *
 * <p>This package is split across two jars on purpose: the broker-side launcher ({@code
 * freshrank-kafka-broker}) and this client side ({@code freshrank-deploy}) share the resource
 * location {@code io/freshrank/deploy/kafka/}.
 */
package io.freshrank.deploy.kafka;

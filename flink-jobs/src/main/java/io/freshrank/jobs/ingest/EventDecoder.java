package io.freshrank.jobs.ingest;

import io.freshrank.schema.DecodeResult;
import java.io.Serializable;

/**
 * Decodes and validates one raw payload. Implementations are serializable factories of per-task
 * state: {@link #decode} is called from one thread.
 *
 * @param <T> the event type produced
 */
public interface EventDecoder<T> extends Serializable {
    DecodeResult<T> decode(byte[] payload);

    /** Decodes a record; override to use its coordinates or Kafka timestamp. */
    default DecodeResult<T> decode(io.freshrank.jobs.common.RawRecord record) {
        return decode(record.value);
    }
}

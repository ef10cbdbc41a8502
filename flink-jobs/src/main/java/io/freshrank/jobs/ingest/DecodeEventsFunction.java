package io.freshrank.jobs.ingest;

import io.freshrank.jobs.common.DeadLetters;
import io.freshrank.jobs.common.InvalidRecordCounters;
import io.freshrank.jobs.common.RawRecord;
import io.freshrank.schema.DecodeResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes raw records with an {@link EventDecoder}; valid events go downstream, invalid ones to
 * {@link DeadLetters#TAG} with their reason, counted per reason and logged by coordinates (never
 * payload).
 *
 * @param <T> the event type
 */
public class DecodeEventsFunction<T> extends ProcessFunction<RawRecord, T> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(DecodeEventsFunction.class);

    private final EventDecoder<T> decoder;
    private final String stage;
    private transient InvalidRecordCounters invalid;
    private transient Counter valid;
    private transient long loggedInvalid;

    public DecodeEventsFunction(EventDecoder<T> decoder, String stage) {
        this.decoder = decoder;
        this.stage = stage;
    }

    @Override
    public void open(OpenContext ctx) {
        invalid = new InvalidRecordCounters(getRuntimeContext().getMetricGroup());
        valid = getRuntimeContext().getMetricGroup().counter("numValidRecords");
    }

    @Override
    public void processElement(RawRecord raw, Context ctx, Collector<T> out) {
        DecodeResult<T> r = decoder.decode(raw);
        if (r.isValid()) {
            valid.inc();
            out.collect(r.value());
            return;
        }
        invalid.inc(r.reason());
        // Log the first few and then every 1000th, by coordinates only: payloads may hold user
        // data.
        if (loggedInvalid++ < 10 || loggedInvalid % 1000 == 0) {
            LOG.warn(
                    "{}: dead-lettering {} ({}): {}",
                    stage,
                    raw.coordinates(),
                    r.reason(),
                    r.detail());
        }
        ctx.output(
                DeadLetters.TAG,
                DeadLetters.of(r.reason(), r.detail(), stage, raw, System.currentTimeMillis()));
    }
}

package io.freshrank.jobs.join;

import io.freshrank.jobs.ingest.EventDecoder;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.EventValidator;
import io.freshrank.schema.avro.Action;
import io.freshrank.schema.avro.Impression;

/** Decoders of the join's two inputs into {@link JoinInput}s. */
public final class JoinDecoders {
    private JoinDecoders() {}

    /** Impressions: decode, validate, keep the original bytes. */
    public static final class Impressions implements EventDecoder<JoinInput> {
        private static final long serialVersionUID = 1L;
        private transient EventCodec<Impression> codec;
        private transient EventValidator validator;

        @Override
        public DecodeResult<JoinInput> decode(byte[] payload) {
            if (codec == null) {
                codec = EventCodec.of(Impression.class);
                validator = EventValidator.defaults();
            }
            DecodeResult<Impression> d = codec.decode(payload);
            if (d.isValid()) {
                d = validator.check(d.value());
            }
            if (!d.isValid()) {
                return DecodeResult.invalid(d.reason(), d.detail());
            }
            Impression imp = d.value();
            return DecodeResult.valid(
                    JoinInput.impression(imp.getImpressionId(), imp.getEventTimeMs(), payload));
        }
    }

    /** Actions: decode, validate. */
    public static final class Actions implements EventDecoder<JoinInput> {
        private static final long serialVersionUID = 1L;
        private transient EventCodec<Action> codec;
        private transient EventValidator validator;

        @Override
        public DecodeResult<JoinInput> decode(byte[] payload) {
            if (codec == null) {
                codec = EventCodec.of(Action.class);
                validator = EventValidator.defaults();
            }
            DecodeResult<Action> d = codec.decode(payload);
            if (d.isValid()) {
                d = validator.check(d.value());
            }
            if (!d.isValid()) {
                return DecodeResult.invalid(d.reason(), d.detail());
            }
            Action a = d.value();
            return DecodeResult.valid(
                    JoinInput.action(
                            a.getImpressionId(),
                            a.getActionId(),
                            a.getType().ordinal(),
                            a.getEventTimeMs(),
                            a.getValue(),
                            payload));
        }
    }
}

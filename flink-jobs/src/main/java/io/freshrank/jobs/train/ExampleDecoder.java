package io.freshrank.jobs.train;

import io.freshrank.features.FeatureExtractor;
import io.freshrank.features.FeatureSpec;
import io.freshrank.features.FeatureVector;
import io.freshrank.jobs.common.RawRecord;
import io.freshrank.jobs.ingest.EventDecoder;
import io.freshrank.schema.DecodeResult;
import io.freshrank.schema.EventCodec;
import io.freshrank.schema.InvalidReason;
import io.freshrank.schema.avro.EmissionKind;
import io.freshrank.schema.avro.LabeledExample;

/** Decodes labelled examples and extracts their feature ids with the job's feature spec. */
public final class ExampleDecoder implements EventDecoder<TrainExample> {
    private static final long serialVersionUID = 1L;
    private final String specJson;
    private transient EventCodec<LabeledExample> codec;
    private transient FeatureExtractor extractor;

    public ExampleDecoder(FeatureSpec spec) {
        this.specJson = spec.toJson();
    }

    @Override
    public DecodeResult<TrainExample> decode(RawRecord record) {
        DecodeResult<TrainExample> r = decode(record.value);
        if (r.isValid()) {
            r.value().ingestTimeMs = record.timestampMs;
            r.value().partition = record.partition;
            r.value().offset = record.offset;
        }
        return r;
    }

    @Override
    public DecodeResult<TrainExample> decode(byte[] payload) {
        if (codec == null) {
            codec = EventCodec.of(LabeledExample.class);
            extractor = new FeatureExtractor(FeatureSpec.fromJson(specJson));
        }
        DecodeResult<LabeledExample> d = codec.decode(payload);
        if (!d.isValid()) {
            return DecodeResult.invalid(d.reason(), d.detail());
        }
        LabeledExample ex = d.value();
        Float click = ex.getLabels().get("click");
        if (click == null || !Float.isFinite(click)) {
            return DecodeResult.invalid(
                    InvalidReason.MISSING_FIELD,
                    "LabeledExample.labels has no finite 'click' label");
        }
        if (!(ex.getSamplingRate() > 0f && ex.getSamplingRate() <= 1f)) {
            return DecodeResult.invalid(
                    InvalidReason.NON_FINITE,
                    "LabeledExample.samplingRate must be in (0,1], got " + ex.getSamplingRate());
        }
        FeatureVector fv = extractor.extract(ex.getFeatures());
        TrainExample t = new TrainExample();
        t.exampleId = ex.getExampleId();
        t.requestId = ex.getRequestId();
        t.impressionTimeMs = ex.getImpressionTimeMs();
        t.emitTimeMs = ex.getEmitTimeMs();
        t.ids = fv.ids();
        t.numeric = fv.numeric();
        t.label = click > 0f ? 1f : 0f;
        t.holdout = ex.getHoldout();
        // Down-sampled negatives stand for 1/samplingRate negatives each (importance weighting).
        t.weight = ex.getHoldout() ? 0f : SamplingCorrection.importanceWeight(ex.getSamplingRate());
        t.correction = ex.getEmission() == EmissionKind.CORRECTION;
        t.fakeNegativeWeighted = t.correction || ex.getEmission() == EmissionKind.FAKE_NEGATIVE;
        t.oracle = ex.getOracleProbability() == null ? Float.NaN : ex.getOracleProbability();
        return DecodeResult.valid(t);
    }
}

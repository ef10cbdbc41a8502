package io.freshrank.jobs.replay;

import java.util.Objects;

/**
 * Base of the readers: a reader opens a {@link RequestSource} in original time; this class turns it
 * into events with {@link ReplayStream} and caches the expected counts.
 */
abstract class AbstractDatasetReplay implements DatasetReplay {
    private final String name;
    private final String specResource;
    protected final ReplayOptions options;
    private volatile ReplayStats expected;

    AbstractDatasetReplay(String name, String specResource, ReplayOptions options) {
        this.name = Objects.requireNonNull(name, "name");
        this.specResource = specResource;
        this.options = Objects.requireNonNull(options, "options");
    }

    /** A new pass over the parsed requests, in non-decreasing original time. */
    abstract RequestSource openSource();

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String specResource() {
        return specResource;
    }

    public final ReplayOptions options() {
        return options;
    }

    @Override
    public final ReplayIterator events() {
        return new ReplayStream(name, openSource(), options);
    }

    @Override
    public final ReplayStats expected() {
        ReplayStats s = expected;
        if (s == null) {
            try (ReplayIterator it = events()) {
                while (it.hasNext()) {
                    it.next();
                }
                s = it.stats();
            }
            expected = s;
        }
        return s;
    }

    /** The resource path of a built-in spec, e.g. {@code io/freshrank/features/mind.spec.json}. */
    static String specResourceOf(String specName) {
        return "io/freshrank/features/" + specName + ".spec.json";
    }
}

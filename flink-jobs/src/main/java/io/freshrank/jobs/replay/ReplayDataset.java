package io.freshrank.jobs.replay;

import java.nio.file.Path;
import java.util.Arrays;

/** The datasets with a built-in reader and feature spec, by their command-line names. */
public enum ReplayDataset {
    MIND("mind"),
    OPENBANDIT("openbandit"),
    CRITEO("criteo"),
    AVAZU("avazu");

    private final String cliName;

    ReplayDataset(String cliName) {
        this.cliName = cliName;
    }

    /** The name used on the command line and in the spec resource. */
    public String cliName() {
        return cliName;
    }

    /** Classpath resource of the dataset's feature spec. */
    public String specResource() {
        return AbstractDatasetReplay.specResourceOf(cliName);
    }

    /** The dataset called {@code name} (case-insensitive); the error lists the known names. */
    public static ReplayDataset fromName(String name) {
        for (ReplayDataset d : values()) {
            if (d.cliName.equalsIgnoreCase(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException(
                "unknown dataset '"
                        + name
                        + "'; known: "
                        + Arrays.stream(values()).map(ReplayDataset::cliName).toList()
                        + " (or csv with column settings)");
    }

    /** Opens a replay of the dataset at {@code path}. */
    public DatasetReplay open(Path path, ReplayOptions options) {
        return switch (this) {
            case MIND -> MindReplay.open(path, options);
            case OPENBANDIT -> OpenBanditReplay.open(path, options);
            case CRITEO -> CriteoReplay.open(path, options);
            case AVAZU -> AvazuReplay.open(path, options);
        };
    }
}

package io.freshrank.jobs.publish;

import io.freshrank.store.LocalModelStore;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Set;
import org.apache.flink.core.fs.Path;

/**
 * Opens the model store named by {@code freshrank.store.path} through Flink's file systems: a URI
 * ({@code file:///...}, {@code hdfs://nn/...}, {@code s3://bucket/...}) or a plain local path
 * (taken as {@code file:}, never as the cluster's default scheme, so a local path in a test or the
 * demo stays local).
 */
public final class StoreLocations {
    /**
     * Schemes of object stores: renames are copies there, so files are published by one upload
     * instead of tmp + rename.
     */
    static final Set<String> OBJECT_STORE_SCHEMES =
            Set.of("s3", "s3a", "s3n", "s3p", "gs", "oss", "wasb", "wasbs", "obs", "cosn");

    private StoreLocations() {}

    /** The store's root URI; a path without a scheme becomes an absolute {@code file:} URI. */
    public static URI toUri(String location) {
        if (location == null || location.isBlank()) {
            throw new IllegalArgumentException(
                    "freshrank.store.path is empty; give a directory or a URI such as s3://bucket/models");
        }
        String s = location.trim();
        // "C:\..." style paths and plain paths have no scheme of two or more letters
        if (s.matches("^[a-zA-Z][a-zA-Z0-9+.-]+:.*")) {
            return URI.create(s);
        }
        return java.nio.file.Path.of(s).toAbsolutePath().normalize().toUri();
    }

    /** Whether the file system of {@code uri} renames atomically (false for object stores). */
    public static boolean atomicRename(URI uri) {
        String scheme = uri.getScheme();
        return scheme == null || !OBJECT_STORE_SCHEMES.contains(scheme.toLowerCase(Locale.ROOT));
    }

    /** The store at {@code location}, with the default retention. */
    public static LocalModelStore open(String location) throws IOException {
        URI uri = toUri(location);
        return new LocalModelStore(
                new FlinkStoreFileSystem(new Path(uri), atomicRename(uri)),
                LocalModelStore.DEFAULT_RETAIN_VERSIONS);
    }
}

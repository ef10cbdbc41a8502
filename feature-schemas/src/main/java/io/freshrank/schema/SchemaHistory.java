package io.freshrank.schema;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.message.SchemaStore;

/**
 * Every released writer schema of a record, loaded from {@code
 * io/freshrank/schema/history/<Record>/v<N>.avsc} on the classpath (v1, v2, ... until the first
 * missing file). A reader resolves the writer schema of an event by its fingerprint from this
 * store; keeping old versions here is what keeps old events readable after the schema evolves.
 * Adding a field with a default is a new version file; the generated class is always the newest.
 */
public final class SchemaHistory {
    private static final String ROOT = "io/freshrank/schema/history/";

    private SchemaHistory() {}

    /** The released writer schemas of {@code recordName} (simple name), oldest first. */
    public static List<Schema> versions(String recordName) {
        List<Schema> out = new ArrayList<>();
        ClassLoader cl = SchemaHistory.class.getClassLoader();
        for (int v = 1; ; v++) {
            String path = ROOT + recordName + "/v" + v + ".avsc";
            try (InputStream in = cl.getResourceAsStream(path)) {
                if (in == null) {
                    break;
                }
                out.add(
                        new Schema.Parser()
                                .parse(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read schema history " + path, e);
            }
        }
        return out;
    }

    /** A schema store with every released version of {@code recordName} plus {@code current}. */
    public static SchemaStore.Cache storeFor(String recordName, Schema current) {
        SchemaStore.Cache cache = new SchemaStore.Cache();
        for (Schema s : versions(recordName)) {
            cache.addSchema(s);
        }
        cache.addSchema(current);
        return cache;
    }

    /** The 64-bit CRC-64-AVRO fingerprint single-object encoding puts in its header. */
    public static long fingerprint(Schema schema) {
        return SchemaNormalization.parsingFingerprint64(schema);
    }
}

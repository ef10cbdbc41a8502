package io.freshrank.jobs.publish;

/**
 * The code version recorded in snapshot provenance: the jar's Implementation-Version, else "dev".
 */
public final class CodeVersion {
    private CodeVersion() {}

    public static String get() {
        String v = CodeVersion.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}

package io.freshrank.store;

import io.freshrank.features.FeatureSpec;
import io.freshrank.model.DenseParameters;
import io.freshrank.model.ModelConfig;
import java.io.IOException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model store in a directory of a {@link StoreFileSystem}: by default a local (or mounted)
 * directory ({@link NioStoreFileSystem}); the Flink job passes one over Flink's file systems
 * ({@code file://}, {@code hdfs://}, {@code s3://}):
 *
 * <pre>
 * root/
 *   LATEST                                    the committed version to serve, as decimal text
 *   snapshots/00000000000000000012/           one directory per model version (20 digits)
 *     rows-00000.avro ... dense.avro          data files, written while staging
 *     manifest.json                           written last: its presence commits the version
 * </pre>
 *
 * <p>Publishing (Monolith-style): writers {@link #stage} a version and write its data files; the
 * publisher then {@link #commit}s the manifest, which checks the files, writes {@code
 * manifest.json} by tmp + atomic rename, then points {@code LATEST} at the version by tmp + atomic
 * rename, then applies retention. A crash at any step leaves {@code LATEST} at a version whose
 * manifest and files are complete; torn versions are invisible and removed by a later retention. On
 * an object store (no atomic rename, see {@link StoreFileSystem#supportsAtomicRename()}) the
 * manifest and {@code LATEST} are each written in one upload instead, which the store makes visible
 * whole or not at all, so readers still see the old pointer or the new one.
 *
 * <p>Reading: {@link #readLatestVersion}, {@link #readManifest}, {@link #load} (verifies every
 * file's size and SHA-256 first; applies a DELTA's chain to its FULL), {@link #loadDelta} (one
 * DELTA on its own, for a server that applies it to the model it holds).
 *
 * <p>Threading and processes: any number of readers and staging writers, in any processes; one
 * publisher (committer) per root at a time. Instances hold no state besides their configuration.
 */
public final class LocalModelStore {
    /** Config key of {@link #retainVersions()}. */
    public static final String RETAIN_VERSIONS_KEY = "freshrank.store.retain-versions";

    public static final int DEFAULT_RETAIN_VERSIONS = 5;
    public static final String LATEST_FILE = "LATEST";
    public static final String MANIFEST_FILE = "manifest.json";
    public static final String SNAPSHOTS_DIR = "snapshots";

    private static final Logger LOG = LoggerFactory.getLogger(LocalModelStore.class);
    private static final Pattern VERSION_DIR = Pattern.compile("\\d{20}");

    private final StoreFileSystem fs;
    private final int retainVersions;

    /** A store at {@code root} keeping {@link #DEFAULT_RETAIN_VERSIONS} versions. */
    public LocalModelStore(Path root) {
        this(root, DEFAULT_RETAIN_VERSIONS);
    }

    /**
     * @param retainVersions committed versions kept by retention ({@value #RETAIN_VERSIONS_KEY}),
     *     >= 1; the version {@code LATEST} points to and the chains of kept deltas are kept in
     *     addition
     */
    public LocalModelStore(Path root, int retainVersions) {
        this(new NioStoreFileSystem(root), retainVersions);
    }

    /**
     * A store at the root of {@code fs}.
     *
     * @param retainVersions as in {@link #LocalModelStore(Path, int)}
     */
    public LocalModelStore(StoreFileSystem fs, int retainVersions) {
        if (retainVersions < 1) {
            throw new IllegalArgumentException(
                    RETAIN_VERSIONS_KEY + " must be >= 1, got " + retainVersions);
        }
        this.fs = fs;
        this.retainVersions = retainVersions;
    }

    /**
     * Commits {@code manifest} into the store at {@code root} (default retention): the publisher's
     * one call once every writer subtask has reported the {@link FileEntry} of its file, e.g.
     * {@code publish(root, SnapshotManifest.builder()...files(entries).build())}.
     */
    public static void publish(Path root, SnapshotManifest manifest) throws IOException {
        new LocalModelStore(root).commit(manifest);
    }

    /**
     * The local root directory.
     *
     * @throws UnsupportedOperationException if the store is not on a local ({@code java.nio}) file
     *     system (see {@link #location()})
     */
    public Path root() {
        return nio().root();
    }

    /** Where the store is, for messages: its root directory or URI. */
    public String location() {
        return fs.describe("");
    }

    public StoreFileSystem fileSystem() {
        return fs;
    }

    private NioStoreFileSystem nio() {
        if (fs instanceof NioStoreFileSystem n) {
            return n;
        }
        throw new UnsupportedOperationException(
                "the model store " + location() + " is not in a local directory");
    }

    public int retainVersions() {
        return retainVersions;
    }

    /**
     * The local directory of {@code modelVersion}, whether or not it exists.
     *
     * @throws UnsupportedOperationException if the store is not on a local file system
     */
    public Path versionDirectory(long modelVersion) {
        return nio().resolve(versionLocation(modelVersion));
    }

    /** The store path of {@code modelVersion}'s directory, whether or not it exists. */
    public String versionLocation(long modelVersion) {
        if (modelVersion < 0) {
            throw new IllegalArgumentException("model versions are >= 0, got " + modelVersion);
        }
        return SNAPSHOTS_DIR + "/" + String.format(Locale.ROOT, "%020d", modelVersion);
    }

    private String manifestLocation(long modelVersion) {
        return versionLocation(modelVersion) + "/" + MANIFEST_FILE;
    }

    /**
     * Opens (creating if needed) the staging directory of {@code modelVersion}. Safe to call from
     * several writers of the same version.
     *
     * @throws IllegalStateException if the version is already committed or not newer than {@code
     *     LATEST} (model versions strictly increase)
     */
    public SnapshotStaging stage(long modelVersion) throws IOException {
        String dir = versionLocation(modelVersion);
        if (isCommitted(modelVersion)) {
            throw new IllegalStateException(
                    "model version " + modelVersion + " is already committed in " + location());
        }
        OptionalLong latest = readLatestVersion();
        if (latest.isPresent() && modelVersion <= latest.getAsLong()) {
            throw new IllegalStateException(
                    "model version "
                            + modelVersion
                            + " is not newer than LATEST "
                            + latest.getAsLong()
                            + " in "
                            + location()
                            + "; model versions must strictly increase");
        }
        fs.mkdirs(dir);
        return new SnapshotStaging(modelVersion, fs, dir);
    }

    /**
     * Commits a staged version: checks that every listed file exists with its listed size, writes
     * {@code manifest.json} (tmp + atomic rename), points {@code LATEST} at it (tmp + atomic
     * rename), then applies retention. Committing the very same manifest again (a replay after a
     * restore) is a no-op apart from moving {@code LATEST} forward if it is behind.
     *
     * @throws IllegalStateException if the version is committed with a different manifest, is not
     *     newer than {@code LATEST}, or is a DELTA whose parent is not committed
     * @throws SnapshotException if a listed file is missing or has another size
     */
    public void commit(SnapshotManifest manifest) throws IOException {
        long version = manifest.modelVersion();
        String dir = versionLocation(version);
        if (isCommitted(version)) {
            SnapshotManifest existing = readManifest(version);
            if (!existing.equals(manifest)) {
                throw new IllegalStateException(
                        "model version "
                                + version
                                + " is already committed in "
                                + location()
                                + " with a different manifest");
            }
            OptionalLong latest = readLatestVersion();
            if (latest.isEmpty() || latest.getAsLong() < version) {
                writeLatest(version);
            }
            return;
        }
        OptionalLong latest = readLatestVersion();
        if (latest.isPresent() && version <= latest.getAsLong()) {
            throw new IllegalStateException(
                    "cannot commit model version "
                            + version
                            + ": LATEST is already "
                            + latest.getAsLong()
                            + " and model versions must strictly increase");
        }
        if (manifest.kind() == SnapshotKind.DELTA && !isCommitted(manifest.parentVersion())) {
            throw new IllegalStateException(
                    "cannot commit DELTA version "
                            + version
                            + ": its parent version "
                            + manifest.parentVersion()
                            + " is not committed");
        }
        long totalBytes = 0;
        for (FileEntry f : manifest.files()) {
            String p = StoreFileSystem.child(dir, f.name());
            long size;
            try {
                size = fs.size(p);
            } catch (NoSuchFileException e) {
                throw new SnapshotException(
                        "cannot commit model version "
                                + version
                                + ": file "
                                + f.name()
                                + " is not in "
                                + fs.describe(dir),
                        e);
            }
            if (size != f.bytes()) {
                throw new SnapshotException(
                        "cannot commit model version "
                                + version
                                + ": file "
                                + f.name()
                                + " has "
                                + size
                                + " bytes but its entry says "
                                + f.bytes());
            }
            totalBytes += size;
        }
        // every data file was renamed (or uploaded) into dir durably before its entry was made
        fs.publish(manifestLocation(version), manifest.toJson().getBytes(StandardCharsets.UTF_8));
        writeLatest(version);
        LOG.info(
                "committed model version {} ({} {}, {} files, {} bytes, checkpoint {}) in {}",
                version,
                manifest.kind(),
                manifest.parentVersion() >= 0 ? "parent " + manifest.parentVersion() : "no parent",
                manifest.files().size(),
                totalBytes,
                manifest.checkpointId(),
                location());
        applyRetention();
    }

    private void writeLatest(long version) throws IOException {
        fs.mkdirs("");
        fs.publish(LATEST_FILE, (version + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The version {@code LATEST} points to, empty when nothing was committed yet.
     *
     * @throws SnapshotCorruptException if {@code LATEST} does not hold a version number
     */
    public OptionalLong readLatestVersion() throws IOException {
        String text;
        try {
            text = readString(LATEST_FILE, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return OptionalLong.empty();
        }
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return OptionalLong.of(v);
        } catch (NumberFormatException e) {
            throw new SnapshotCorruptException(
                    LATEST_FILE,
                    LATEST_FILE + " in " + location() + " does not hold a model version",
                    e);
        }
    }

    /**
     * The manifest of committed version {@code modelVersion}.
     *
     * @throws SnapshotException if the version is not committed
     * @throws UnsupportedSnapshotFormatException if written in a format this reader does not know
     * @throws SnapshotCorruptException if it does not parse or belongs to another version
     */
    public SnapshotManifest readManifest(long modelVersion) throws IOException {
        String json;
        try {
            json = readString(manifestLocation(modelVersion), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(
                    "model version " + modelVersion + " is not committed in " + location(), e);
        }
        SnapshotManifest m;
        try {
            m = SnapshotManifest.fromJson(json);
        } catch (UnsupportedSnapshotFormatException e) {
            throw new UnsupportedSnapshotFormatException(
                    "snapshot version " + modelVersion + " " + MANIFEST_FILE,
                    e.foundVersion(),
                    e.supportedVersion());
        } catch (SnapshotCorruptException e) {
            throw new SnapshotCorruptException(
                    MANIFEST_FILE, "snapshot version " + modelVersion + ": " + e.getMessage(), e);
        }
        if (m.modelVersion() != modelVersion) {
            throw new SnapshotCorruptException(
                    MANIFEST_FILE,
                    "snapshot version "
                            + modelVersion
                            + ": its "
                            + MANIFEST_FILE
                            + " describes version "
                            + m.modelVersion());
        }
        return m;
    }

    /**
     * Whether {@code modelVersion} is committed (its manifest exists). A writer re-running after a
     * restore can use it to skip a version that was already published.
     */
    public boolean isCommitted(long modelVersion) throws IOException {
        return fs.exists(manifestLocation(modelVersion));
    }

    private String readString(String path, Charset charset) throws IOException {
        try (var in = fs.open(path)) {
            return new String(in.readAllBytes(), charset);
        }
    }

    /** Committed versions (those with a manifest), ascending. */
    public List<Long> committedVersions() throws IOException {
        List<Long> out = new ArrayList<>();
        for (long v : versionDirectories()) {
            if (isCommitted(v)) {
                out.add(v);
            }
        }
        return out;
    }

    private TreeSet<Long> versionDirectories() throws IOException {
        TreeSet<Long> out = new TreeSet<>();
        for (StoreFileSystem.Entry d : fs.list(SNAPSHOTS_DIR)) {
            if (d.directory() && VERSION_DIR.matcher(d.name()).matches()) {
                out.add(Long.parseLong(d.name()));
            }
        }
        return out;
    }

    /** Loads the version {@code LATEST} points to; empty when nothing was committed yet. */
    public Optional<LoadedModel> loadLatest() throws IOException {
        OptionalLong latest = readLatestVersion();
        return latest.isPresent() ? Optional.of(load(latest.getAsLong())) : Optional.empty();
    }

    /**
     * Loads committed version {@code modelVersion} with FLOAT32 rows; see {@link #load(long,
     * RowPrecision)}.
     */
    public LoadedModel load(long modelVersion) throws IOException {
        return load(modelVersion, RowPrecision.FLOAT32);
    }

    /**
     * Loads committed version {@code modelVersion}: reads its manifest (and, for a DELTA, its
     * parents' down to a FULL), verifies every file's size and SHA-256, then builds the table: the
     * FULL's rows, then for each DELTA oldest first, its deleted ids removed and then its rows put
     * (replacing the parent's; a row deleted and re-added in one delta is present), and the dense
     * parameters of the newest version in the chain that has them.
     *
     * @param precision how the loaded table keeps its rows
     * @throws SnapshotCorruptException if any file does not match its manifest (naming the file and
     *     both checksums) or does not parse, or the spec and config disagree
     * @throws UnsupportedSnapshotFormatException for a format this reader does not know
     * @throws SnapshotException if the rows do not fit {@code precision}
     */
    public LoadedModel load(long modelVersion, RowPrecision precision) throws IOException {
        List<SnapshotManifest> chain = readChain(modelVersion);
        SnapshotManifest base = chain.get(0);
        SnapshotManifest top = chain.get(chain.size() - 1);
        ModelConfig config = base.modelConfig();
        for (SnapshotManifest m : chain) {
            checkSameModel(base, m);
            SnapshotReader.verify(fs, versionLocation(m.modelVersion()), m);
        }
        FeatureSpec spec = checkSpec(top, config);
        long expectedRows = 0;
        for (FileEntry f : base.files(FileRole.ROWS)) {
            expectedRows += f.records();
        }
        EmbeddingTable table = new EmbeddingTable(config.rowWidth(), expectedRows, precision);
        float[] dense = null;
        for (SnapshotManifest m : chain) {
            String dir = versionLocation(m.modelVersion());
            for (FileEntry f : m.files(FileRole.DELETES)) {
                SnapshotReader.readDeletes(fs, dir, m.modelVersion(), f, table::remove);
            }
            boolean full = m.kind() == SnapshotKind.FULL;
            for (FileEntry f : m.files(FileRole.ROWS)) {
                readRowsInto(fs, table, dir, m, f, config, full);
            }
            for (FileEntry f : m.files(FileRole.DENSE)) {
                dense =
                        SnapshotReader.readDense(fs, dir, m.modelVersion(), f)
                                .get(SnapshotFormat.DENSE_BLOCK);
            }
        }
        if (dense == null) {
            throw new SnapshotCorruptException(
                    MANIFEST_FILE, "snapshot version " + modelVersion + " has no dense parameters");
        }
        return new LoadedModel(
                top, spec, config, new DenseParameters(dense), table, System.currentTimeMillis());
    }

    /**
     * Reads committed DELTA version {@code modelVersion} on its own, for applying it to a model
     * that already holds its parent ({@link LoadedDelta} says how): reads its manifest, verifies
     * its files' sizes and SHA-256 (not its parents'), and reads its deleted ids, rows and dense
     * parameters. The caller checks that the delta's model config and feature spec are the ones of
     * the model it applies the delta to.
     *
     * @param precision how the delta's rows table keeps its rows
     * @throws SnapshotException if the version is not committed or is not a DELTA, or its rows do
     *     not fit {@code precision}
     * @throws SnapshotCorruptException if a file does not match the manifest or does not parse
     * @throws UnsupportedSnapshotFormatException for a format this reader does not know
     */
    public LoadedDelta loadDelta(long modelVersion, RowPrecision precision) throws IOException {
        SnapshotManifest m = readManifest(modelVersion);
        if (m.kind() != SnapshotKind.DELTA) {
            throw new SnapshotException(
                    "snapshot version " + modelVersion + " is a " + m.kind() + ", not a DELTA");
        }
        String dir = versionLocation(modelVersion);
        SnapshotReader.verify(fs, dir, m);
        ModelConfig config = m.modelConfig();
        long rowCount = 0;
        long deleteCount = 0;
        for (FileEntry f : m.files()) {
            if (f.role() == FileRole.ROWS) {
                rowCount += f.records();
            } else if (f.role() == FileRole.DELETES) {
                deleteCount += f.records();
            }
        }
        if (deleteCount > Integer.MAX_VALUE - 8) {
            throw new SnapshotCorruptException(
                    MANIFEST_FILE,
                    "snapshot version " + modelVersion + " lists " + deleteCount + " deleted ids");
        }
        long[] deleted = new long[(int) deleteCount];
        int[] n = {0};
        for (FileEntry f : m.files(FileRole.DELETES)) {
            SnapshotReader.readDeletes(
                    fs,
                    dir,
                    modelVersion,
                    f,
                    id -> {
                        if (n[0] == deleted.length) {
                            throw new SnapshotCorruptException(
                                    f.name(),
                                    "snapshot version "
                                            + modelVersion
                                            + ": file "
                                            + f.name()
                                            + " has more ids than the manifest says ("
                                            + f.records()
                                            + ")");
                        }
                        deleted[n[0]++] = id;
                    });
        }
        EmbeddingTable rows = new EmbeddingTable(config.rowWidth(), rowCount, precision);
        for (FileEntry f : m.files(FileRole.ROWS)) {
            readRowsInto(fs, rows, dir, m, f, config, false);
        }
        DenseParameters dense = null;
        for (FileEntry f : m.files(FileRole.DENSE)) {
            dense =
                    new DenseParameters(
                            SnapshotReader.readDense(fs, dir, modelVersion, f)
                                    .get(SnapshotFormat.DENSE_BLOCK));
        }
        return new LoadedDelta(m, rows, deleted, dense);
    }

    private static void readRowsInto(
            StoreFileSystem fs,
            EmbeddingTable table,
            String dir,
            SnapshotManifest m,
            FileEntry f,
            ModelConfig config,
            boolean full)
            throws IOException {
        SnapshotReader.readRows(
                fs,
                dir,
                m.modelVersion(),
                f,
                config.rowWidth(),
                (id, row) -> {
                    int before = table.size();
                    try {
                        table.put(id, row);
                    } catch (IllegalArgumentException e) {
                        throw new SnapshotException(
                                "snapshot version "
                                        + m.modelVersion()
                                        + ": file "
                                        + f.name()
                                        + ": "
                                        + e.getMessage(),
                                e);
                    }
                    if (full && table.size() == before) {
                        throw new SnapshotCorruptException(
                                f.name(),
                                "snapshot version "
                                        + m.modelVersion()
                                        + ": feature id "
                                        + id
                                        + " has two rows in a FULL snapshot (second in "
                                        + f.name()
                                        + ")");
                    }
                });
    }

    private static void checkSameModel(SnapshotManifest base, SnapshotManifest m)
            throws SnapshotCorruptException {
        if (!m.modelConfig().equals(base.modelConfig())
                || !m.featureSpecJson().equals(base.featureSpecJson())) {
            throw new SnapshotCorruptException(
                    MANIFEST_FILE,
                    "snapshot version "
                            + m.modelVersion()
                            + " has another model config or feature spec than its base "
                            + base.modelVersion());
        }
    }

    private static FeatureSpec checkSpec(SnapshotManifest m, ModelConfig config)
            throws SnapshotCorruptException {
        FeatureSpec spec;
        try {
            spec = FeatureSpec.fromJson(m.featureSpecJson());
            String hash = m.provenance().get(SnapshotManifest.FEATURE_SPEC_HASH);
            if (hash != null && !hash.equals(spec.hash())) {
                throw new IllegalArgumentException(
                        "its feature spec hashes to "
                                + spec.hash()
                                + " but provenance "
                                + SnapshotManifest.FEATURE_SPEC_HASH
                                + " says "
                                + hash);
            }
            if (spec.embeddedSlots().size() != config.numSlots()
                    || spec.uniformDim() != config.dim()
                    || spec.numericSlots().size() != config.numNumeric()) {
                throw new IllegalArgumentException(
                        "its feature spec ("
                                + spec.embeddedSlots().size()
                                + " embedded slots of dim "
                                + spec.uniformDim()
                                + ", "
                                + spec.numericSlots().size()
                                + " numeric) does not match its model config "
                                + config);
            }
        } catch (IllegalArgumentException e) {
            throw new SnapshotCorruptException(
                    MANIFEST_FILE,
                    "snapshot version " + m.modelVersion() + ": " + e.getMessage(),
                    e);
        }
        return spec;
    }

    /**
     * The manifests from the FULL below {@code modelVersion} up to it, oldest first: what {@link
     * #load} reads (a FULL's chain is itself alone).
     *
     * @throws SnapshotException if a version of the chain is not committed
     */
    public List<SnapshotManifest> readChain(long modelVersion) throws IOException {
        Deque<SnapshotManifest> chain = new ArrayDeque<>();
        SnapshotManifest m = readManifest(modelVersion);
        chain.addFirst(m);
        while (m.kind() == SnapshotKind.DELTA) {
            // parentVersion < modelVersion (checked by the manifest), so this terminates
            m = readManifest(m.parentVersion());
            chain.addFirst(m);
        }
        return new ArrayList<>(chain);
    }

    /**
     * Deletes committed versions beyond the newest {@link #retainVersions()}, never the one {@code
     * LATEST} points to nor any version a kept delta builds on, and abandoned staging directories
     * older than {@code LATEST}. Called by {@link #commit}; failures are logged, not thrown (the
     * commit already happened).
     */
    public void applyRetention() {
        try {
            OptionalLong latest = readLatestVersion();
            List<Long> committed = committedVersions();
            Set<Long> keep = new HashSet<>();
            List<Long> roots =
                    new ArrayList<>(
                            committed.subList(
                                    Math.max(0, committed.size() - retainVersions),
                                    committed.size()));
            latest.ifPresent(roots::add);
            for (long v : roots) {
                keep.add(v);
                try {
                    for (SnapshotManifest m : readChain(v)) {
                        keep.add(m.modelVersion());
                    }
                } catch (IOException e) {
                    LOG.warn("retention: cannot read the chain of version {}: {}", v, e.toString());
                }
            }
            Set<Long> committedSet = new HashSet<>(committed);
            for (long v : versionDirectories()) {
                boolean abandoned =
                        !committedSet.contains(v) && latest.isPresent() && v < latest.getAsLong();
                if ((committedSet.contains(v) && !keep.contains(v)) || abandoned) {
                    deleteVersion(v);
                    LOG.info(
                            "retention: deleted {} model version {}",
                            abandoned ? "abandoned staging of" : "committed",
                            v);
                }
            }
            // a LATEST tmp file outlives only a publisher that crashed mid-write
            for (StoreFileSystem.Entry e : fs.list("")) {
                if (!e.directory() && e.name().startsWith(FileIo.TMP_PREFIX + LATEST_FILE + "-")) {
                    fs.delete(e.name());
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "retention in {} failed (will retry on the next commit): {}",
                    location(),
                    e.toString());
        }
    }

    private void deleteVersion(long v) throws IOException {
        // the manifest first: an interrupted deletion leaves an uncommitted (invisible) directory
        fs.delete(manifestLocation(v));
        fs.delete(versionLocation(v));
    }

    /**
     * Writes {@code rows} and {@code dense} as one FULL snapshot file set and commits it: a
     * convenience for a single writer (tests, tools, the demo); a parallel job stages and commits
     * itself.
     */
    public SnapshotManifest writeFull(
            long modelVersion,
            long checkpointId,
            long createdAtMs,
            FeatureSpec spec,
            ModelConfig config,
            Iterable<? extends Map.Entry<Long, float[]>> rows,
            DenseParameters dense,
            Map<String, String> provenance)
            throws IOException {
        SnapshotStaging staging = stage(modelVersion);
        FileEntry rowsEntry =
                staging.writeRows(
                        SnapshotStaging.rowsFileName(0), config.rowWidth(), rows.iterator());
        FileEntry denseEntry = staging.writeDense(SnapshotStaging.DENSE_FILE, dense);
        SnapshotManifest manifest =
                SnapshotManifest.builder()
                        .modelVersion(modelVersion)
                        .checkpointId(checkpointId)
                        .createdAtMs(createdAtMs)
                        .featureSpec(spec)
                        .modelConfig(config)
                        .file(rowsEntry)
                        .file(denseEntry)
                        .provenance(provenance)
                        .build();
        commit(manifest);
        return manifest;
    }
}

package io.freshrank.store;

import io.freshrank.features.FeatureSpec;
import io.freshrank.model.DenseParameters;
import io.freshrank.model.ModelConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
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
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A model store in a local (or mounted) directory:
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
 * manifest and files are complete; torn versions are invisible and removed by a later retention.
 *
 * <p>Reading: {@link #readLatestVersion}, {@link #readManifest}, {@link #load} (verifies every
 * file's size and SHA-256 first; applies a DELTA's chain to its FULL).
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

    private final Path root;
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
        if (retainVersions < 1) {
            throw new IllegalArgumentException(
                    RETAIN_VERSIONS_KEY + " must be >= 1, got " + retainVersions);
        }
        this.root = root.toAbsolutePath().normalize();
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

    public Path root() {
        return root;
    }

    public int retainVersions() {
        return retainVersions;
    }

    /** The directory of {@code modelVersion}, whether or not it exists. */
    public Path versionDirectory(long modelVersion) {
        if (modelVersion < 0) {
            throw new IllegalArgumentException("model versions are >= 0, got " + modelVersion);
        }
        return root.resolve(SNAPSHOTS_DIR)
                .resolve(String.format(Locale.ROOT, "%020d", modelVersion));
    }

    /**
     * Opens (creating if needed) the staging directory of {@code modelVersion}. Safe to call from
     * several writers of the same version.
     *
     * @throws IllegalStateException if the version is already committed or not newer than {@code
     *     LATEST} (model versions strictly increase)
     */
    public SnapshotStaging stage(long modelVersion) throws IOException {
        Path dir = versionDirectory(modelVersion);
        if (Files.exists(dir.resolve(MANIFEST_FILE))) {
            throw new IllegalStateException(
                    "model version " + modelVersion + " is already committed in " + root);
        }
        OptionalLong latest = readLatestVersion();
        if (latest.isPresent() && modelVersion <= latest.getAsLong()) {
            throw new IllegalStateException(
                    "model version "
                            + modelVersion
                            + " is not newer than LATEST "
                            + latest.getAsLong()
                            + " in "
                            + root
                            + "; model versions must strictly increase");
        }
        Files.createDirectories(dir);
        return new SnapshotStaging(modelVersion, dir);
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
        Path dir = versionDirectory(version);
        Path manifestPath = dir.resolve(MANIFEST_FILE);
        if (Files.exists(manifestPath)) {
            SnapshotManifest existing = readManifest(version);
            if (!existing.equals(manifest)) {
                throw new IllegalStateException(
                        "model version "
                                + version
                                + " is already committed in "
                                + root
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
        if (manifest.kind() == SnapshotKind.DELTA
                && !Files.exists(
                        versionDirectory(manifest.parentVersion()).resolve(MANIFEST_FILE))) {
            throw new IllegalStateException(
                    "cannot commit DELTA version "
                            + version
                            + ": its parent version "
                            + manifest.parentVersion()
                            + " is not committed");
        }
        long totalBytes = 0;
        for (FileEntry f : manifest.files()) {
            Path p = dir.resolve(f.name());
            long size;
            try {
                size = Files.size(p);
            } catch (NoSuchFileException e) {
                throw new SnapshotException(
                        "cannot commit model version "
                                + version
                                + ": file "
                                + f.name()
                                + " is not in "
                                + dir,
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
        FileIo.fsyncDirectory(dir);
        FileIo.writeAtomically(manifestPath, manifest.toJson().getBytes(StandardCharsets.UTF_8));
        writeLatest(version);
        LOG.info(
                "committed model version {} ({} {}, {} files, {} bytes, checkpoint {}) in {}",
                version,
                manifest.kind(),
                manifest.parentVersion() >= 0 ? "parent " + manifest.parentVersion() : "no parent",
                manifest.files().size(),
                totalBytes,
                manifest.checkpointId(),
                root);
        applyRetention();
    }

    private void writeLatest(long version) throws IOException {
        Files.createDirectories(root);
        FileIo.writeAtomically(
                root.resolve(LATEST_FILE), (version + "\n").getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * The version {@code LATEST} points to, empty when nothing was committed yet.
     *
     * @throws SnapshotCorruptException if {@code LATEST} does not hold a version number
     */
    public OptionalLong readLatestVersion() throws IOException {
        String text;
        try {
            text = Files.readString(root.resolve(LATEST_FILE), StandardCharsets.US_ASCII);
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
                    LATEST_FILE, LATEST_FILE + " in " + root + " does not hold a model version", e);
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
        Path p = versionDirectory(modelVersion).resolve(MANIFEST_FILE);
        String json;
        try {
            json = Files.readString(p, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new SnapshotException(
                    "model version " + modelVersion + " is not committed in " + root, e);
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
    public boolean isCommitted(long modelVersion) {
        return Files.exists(versionDirectory(modelVersion).resolve(MANIFEST_FILE));
    }

    /** Committed versions (those with a manifest), ascending. */
    public List<Long> committedVersions() throws IOException {
        List<Long> out = new ArrayList<>();
        for (long v : versionDirectories()) {
            if (Files.exists(versionDirectory(v).resolve(MANIFEST_FILE))) {
                out.add(v);
            }
        }
        return out;
    }

    private TreeSet<Long> versionDirectories() throws IOException {
        TreeSet<Long> out = new TreeSet<>();
        Path snapshots = root.resolve(SNAPSHOTS_DIR);
        if (!Files.isDirectory(snapshots)) {
            return out;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(snapshots)) {
            for (Path d : dirs) {
                String name = d.getFileName().toString();
                if (VERSION_DIR.matcher(name).matches() && Files.isDirectory(d)) {
                    out.add(Long.parseLong(name));
                }
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
     * Loads committed version {@code modelVersion}: reads its manifest (and, for a DELTA, its
     * parents' down to a FULL), verifies every file's size and SHA-256, then reads rows (a delta's
     * rows replacing its parent's) and dense parameters (the newest in the chain).
     *
     * @throws SnapshotCorruptException if any file does not match its manifest (naming the file and
     *     both checksums) or does not parse, or the spec and config disagree
     * @throws UnsupportedSnapshotFormatException for a format this reader does not know
     */
    public LoadedModel load(long modelVersion) throws IOException {
        List<SnapshotManifest> chain = chainOf(modelVersion);
        SnapshotManifest base = chain.get(0);
        SnapshotManifest top = chain.get(chain.size() - 1);
        ModelConfig config = base.modelConfig();
        for (SnapshotManifest m : chain) {
            if (!m.modelConfig().equals(config)
                    || !m.featureSpecJson().equals(base.featureSpecJson())) {
                throw new SnapshotCorruptException(
                        MANIFEST_FILE,
                        "snapshot version "
                                + m.modelVersion()
                                + " has another model config or feature spec than its base "
                                + base.modelVersion());
            }
            SnapshotReader.verify(versionDirectory(m.modelVersion()), m);
        }
        FeatureSpec spec = checkSpec(top, config);
        long expectedRows = 0;
        for (FileEntry f : base.files(FileRole.ROWS)) {
            expectedRows += f.records();
        }
        EmbeddingTable table = new EmbeddingTable(config.rowWidth(), expectedRows);
        float[] dense = null;
        for (SnapshotManifest m : chain) {
            Path dir = versionDirectory(m.modelVersion());
            boolean full = m.kind() == SnapshotKind.FULL;
            for (FileEntry f : m.files(FileRole.ROWS)) {
                SnapshotReader.readRows(
                        dir,
                        m.modelVersion(),
                        f,
                        config.rowWidth(),
                        (id, row) -> {
                            if (table.put(id, row) != null && full) {
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
            for (FileEntry f : m.files(FileRole.DENSE)) {
                dense =
                        SnapshotReader.readDense(dir, m.modelVersion(), f)
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

    /** The manifests from the FULL below {@code modelVersion} up to it, oldest first. */
    private List<SnapshotManifest> chainOf(long modelVersion) throws IOException {
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
                    for (SnapshotManifest m : chainOf(v)) {
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
            try (DirectoryStream<Path> tmps =
                    Files.newDirectoryStream(root, FileIo.TMP_PREFIX + LATEST_FILE + "-*")) {
                for (Path p : tmps) {
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "retention in {} failed (will retry on the next commit): {}",
                    root,
                    e.toString());
        }
    }

    private void deleteVersion(long v) throws IOException {
        Path dir = versionDirectory(v);
        // the manifest first: an interrupted deletion leaves an uncommitted (invisible) directory
        Files.deleteIfExists(dir.resolve(MANIFEST_FILE));
        try (Stream<Path> files = Files.walk(dir)) {
            List<Path> paths = files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
            for (Path p : paths) {
                Files.deleteIfExists(p);
            }
        }
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

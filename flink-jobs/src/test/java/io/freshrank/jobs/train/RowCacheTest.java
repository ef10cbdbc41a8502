package io.freshrank.jobs.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RowCacheTest {

    /** One written-back entry, copied out of the cache's slabs. */
    private record Entry(float[] data, long count, long lastUpdate) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e
                    && Arrays.equals(data, e.data)
                    && count == e.count
                    && lastUpdate == e.lastUpdate;
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(data) * 31 + Long.hashCode(count ^ lastUpdate);
        }

        @Override
        public String toString() {
            return Arrays.toString(data) + " count=" + count + " lastUpdate=" + lastUpdate;
        }

        static Entry of(RowCache cache, int slot) {
            int off = cache.offset(slot);
            return new Entry(
                    Arrays.copyOfRange(cache.data(), off, off + cache.width()),
                    cache.count(slot),
                    cache.lastUpdate(slot));
        }
    }

    /** A sink recording (copies of) what it receives, in order. */
    private static final class RecordingSink implements RowCache.EvictionSink {
        final List<Long> ids = new ArrayList<>();
        final List<Entry> entries = new ArrayList<>();

        @Override
        public void evicted(
                long id, float[] data, int offset, int width, long count, long lastUpdate) {
            ids.add(id);
            entries.add(
                    new Entry(Arrays.copyOfRange(data, offset, offset + width), count, lastUpdate));
        }
    }

    private static final RowCache.EvictionSink NO_WRITES =
            (id, data, offset, width, count, lastUpdate) -> {
                throw new AssertionError("unexpected write-back of id " + id);
            };

    private static void write(RowCache cache, int slot, float first, long count, long time) {
        int off = cache.offset(slot);
        for (int i = 0; i < cache.width(); i++) {
            cache.data()[off + i] = first + i;
        }
        cache.setCount(slot, count);
        cache.setLastUpdate(slot, time);
    }

    @Test
    void insertsFindsAndUpdatesEntries() throws Exception {
        RowCache cache = new RowCache(4, 3);
        assertThat(cache.find(7L)).isEqualTo(-1);
        int a = cache.insert(7L, NO_WRITES);
        int b = cache.insert(-7L, NO_WRITES);
        assertThat(a).isNotEqualTo(b);
        assertThat(cache.id(a)).isEqualTo(7L);
        assertThat(cache.dirty(a)).isFalse();
        assertThat(cache.count(a)).isZero();
        assertThat(Entry.of(cache, a).data()).containsExactly(0f, 0f, 0f);

        write(cache, a, 1f, 5, 100);
        write(cache, b, 10f, 6, 200);
        cache.markDirty(a);

        assertThat(cache.find(7L)).isEqualTo(a);
        assertThat(cache.find(-7L)).isEqualTo(b);
        assertThat(Entry.of(cache, a)).isEqualTo(new Entry(new float[] {1f, 2f, 3f}, 5, 100));
        assertThat(Entry.of(cache, b)).isEqualTo(new Entry(new float[] {10f, 11f, 12f}, 6, 200));
        assertThat(cache.dirty(a)).isTrue();
        assertThat(cache.dirty(b)).isFalse();
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.capacity()).isEqualTo(4);
        assertThat(cache.hits()).isEqualTo(2);
        assertThat(cache.misses()).isEqualTo(1);
        assertThat(cache.hitRate()).isEqualTo(2.0 / 3.0);
        assertThat(cache.evictions()).isZero();
        assertThat(cache.contains(7L)).isTrue();
        assertThat(cache.contains(8L)).isFalse();
        assertThat(cache.hits() + cache.misses()).as("contains() is not a lookup").isEqualTo(3);
    }

    @Test
    void rejectsADuplicateInsertAndBadParameters() throws Exception {
        RowCache cache = new RowCache(2, 1);
        cache.insert(1L, NO_WRITES);
        assertThatThrownBy(() -> cache.insert(1L, NO_WRITES))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("id 1 is already cached");
        assertThat(cache.size()).isEqualTo(1);

        assertThatThrownBy(() -> new RowCache(0, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacityRows must be >= 1, got 0");
        assertThatThrownBy(() -> new RowCache(4, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width");
        assertThatThrownBy(() -> new RowCache(Integer.MAX_VALUE, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("capacityRows " + Integer.MAX_VALUE + " is too large");
        assertThatThrownBy(() -> new RowCache(100_000_000, 40))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("too large for width 40");
        assertThatThrownBy(() -> RowCache.withMaxBytes(10, 4))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("maxBytes 10");
        assertThatThrownBy(() -> RowCache.bytesPerRow(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("width");
    }

    @Test
    void capacityOneEvictsOnEveryInsert() throws Exception {
        RecordingSink sink = new RecordingSink();
        RowCache cache = new RowCache(1, 2);
        int s = cache.insert(1L, sink);
        write(cache, s, 1f, 1, 1);
        cache.markDirty(s);
        cache.find(1L);
        s = cache.insert(2L, sink);
        assertThat(sink.ids).containsExactly(1L);
        assertThat(cache.contains(1L)).isFalse();
        assertThat(cache.id(s)).isEqualTo(2L);
        assertThat(cache.size()).isEqualTo(1);
    }

    @Test
    void clockEvictsUnreferencedEntriesFirst() throws Exception {
        RowCache cache = new RowCache(4, 1);
        for (long id = 1; id <= 4; id++) {
            cache.insert(id, NO_WRITES);
        }
        cache.find(1L);
        cache.find(3L);

        cache.insert(5L, NO_WRITES); // hand: 1 referenced -> cleared, 2 unreferenced -> evicted
        assertThat(cache.contains(2L)).isFalse();
        cache.insert(6L, NO_WRITES); // hand: 3 referenced -> cleared, 4 unreferenced -> evicted
        assertThat(cache.contains(4L)).isFalse();
        assertThat(cache.contains(1L)).isTrue();
        assertThat(cache.contains(3L)).isTrue();
        assertThat(cache.evictions()).isEqualTo(2);

        // Nothing referenced now: the hand (at 1's slot) takes 1, then 5 (new entries start clear).
        cache.find(6L);
        cache.insert(7L, NO_WRITES);
        cache.insert(8L, NO_WRITES);
        assertThat(cache.contains(1L)).isFalse();
        assertThat(cache.contains(5L)).isFalse();
        assertThat(cache.contains(3L)).isTrue();
        assertThat(cache.contains(6L)).isTrue();
        assertThat(cache.size()).isEqualTo(4);
    }

    @Test
    void clockEvictsAtTheHandWhenEverythingIsReferenced() throws Exception {
        RowCache cache = new RowCache(3, 1);
        for (long id = 1; id <= 3; id++) {
            cache.insert(id, NO_WRITES);
            cache.find(id);
        }
        cache.insert(4L, NO_WRITES);
        assertThat(cache.contains(1L)).isFalse();
        assertThat(cache.contains(2L)).isTrue();
        assertThat(cache.contains(3L)).isTrue();
        assertThat(cache.contains(4L)).isTrue();
    }

    @Test
    void dirtyEvictionsReachTheSinkAndCleanOnesDoNot() throws Exception {
        RecordingSink sink = new RecordingSink();
        RowCache cache = new RowCache(2, 3);
        int a = cache.insert(100L, sink);
        write(cache, a, 1f, 7, 1000);
        cache.markDirty(a);
        int b = cache.insert(200L, sink);
        write(cache, b, 5f, 8, 2000); // loaded from state: clean

        int c = cache.insert(300L, sink); // evicts 100 (dirty)
        assertThat(c).isEqualTo(a);
        assertThat(sink.ids).containsExactly(100L);
        assertThat(sink.entries).containsExactly(new Entry(new float[] {1f, 2f, 3f}, 7, 1000));
        assertThat(cache.dirty(c)).isFalse();
        assertThat(Entry.of(cache, c)).isEqualTo(new Entry(new float[3], 0, 0));

        cache.insert(400L, sink); // evicts 200 (clean): dropped
        assertThat(sink.ids).containsExactly(100L);
        assertThat(cache.evictions()).isEqualTo(2);
        assertThat(cache.dirtyEvictions()).isEqualTo(1);
    }

    @Test
    void aFailingSinkLeavesTheVictimCachedAndDirty() throws Exception {
        RowCache cache = new RowCache(2, 2);
        int a = cache.insert(1L, NO_WRITES);
        write(cache, a, 3f, 1, 1);
        cache.markDirty(a);
        cache.insert(2L, NO_WRITES);

        assertThatThrownBy(
                        () ->
                                cache.insert(
                                        3L,
                                        (id, data, offset, width, count, lastUpdate) -> {
                                            throw new IOException("state backend down");
                                        }))
                .isInstanceOf(IOException.class)
                .hasMessage("state backend down");
        assertThat(cache.contains(1L)).isTrue();
        assertThat(cache.dirty(a)).isTrue();
        assertThat(cache.contains(3L)).isFalse();
        assertThat(cache.size()).isEqualTo(2);
        assertThat(cache.evictions()).isZero();

        RecordingSink sink = new RecordingSink();
        cache.insert(3L, sink);
        assertThat(sink.ids).containsExactly(1L);
        assertThat(sink.entries).containsExactly(new Entry(new float[] {3f, 4f}, 1, 1));
    }

    @Test
    void flushWritesEveryDirtyEntryOnceAndKeepsThemCached() throws Exception {
        RowCache cache = new RowCache(16, 2);
        Set<Long> dirty = new HashSet<>();
        for (long id = 0; id < 10; id++) {
            int s = cache.insert(id * 1_000_003L, NO_WRITES);
            write(cache, s, id, id, id);
            if (id % 3 == 0) {
                cache.markDirty(s);
                dirty.add(id * 1_000_003L);
            }
        }
        RecordingSink sink = new RecordingSink();
        cache.flush(sink);
        assertThat(sink.ids).doesNotHaveDuplicates();
        assertThat(new HashSet<>(sink.ids)).isEqualTo(dirty);
        for (int i = 0; i < sink.ids.size(); i++) {
            long id = sink.ids.get(i);
            float first = id / 1_000_003L;
            assertThat(sink.entries.get(i))
                    .isEqualTo(
                            new Entry(new float[] {first, first + 1}, (long) first, (long) first));
        }
        assertThat(cache.size()).isEqualTo(10);
        cache.forEach((slot, id) -> assertThat(cache.dirty(slot)).as("id %d", id).isFalse());

        cache.flush(NO_WRITES); // nothing dirty any more
    }

    @Test
    void writeBehindWritesOnlyIdleDirtyEntriesAndResumesWhereItStopped() throws Exception {
        RowCache cache = new RowCache(16, 2);
        // ids 0..9 with last update = id; even ids dirty.
        for (long id = 0; id < 10; id++) {
            int s = cache.insert(id, NO_WRITES);
            write(cache, s, id, id, id);
            if (id % 2 == 0) {
                cache.markDirty(s);
            }
        }
        // Idle before 5: dirty ids 0, 2, 4. A budget of 3 slots sees ids 0..2 only.
        RecordingSink first = new RecordingSink();
        assertThat(cache.writeBehind(5, 3, first)).isEqualTo(2);
        assertThat(first.ids).containsExactly(0L, 2L);
        assertThat(first.entries.get(1)).isEqualTo(new Entry(new float[] {2, 3}, 2, 2));
        // The next call resumes at slot 3 and wraps around: 4 is written, 0 and 2 are clean now.
        RecordingSink second = new RecordingSink();
        assertThat(cache.writeBehind(5, 100, second)).isEqualTo(1);
        assertThat(second.ids).containsExactly(4L);
        // Recently updated dirty entries (6, 8) stay dirty, cached and go to the next flush.
        assertThat(cache.writeBehind(5, 100, NO_WRITES)).isZero();
        assertThat(cache.size()).isEqualTo(10);
        RecordingSink flush = new RecordingSink();
        cache.flush(flush);
        assertThat(flush.ids).containsExactlyInAnyOrder(6L, 8L);
        // An entry updated again after its write-behind is dirty again.
        int s = cache.find(2);
        write(cache, s, 20, 3, 30);
        cache.markDirty(s);
        RecordingSink again = new RecordingSink();
        cache.flush(again);
        assertThat(again.ids).containsExactly(2L);
        assertThat(again.entries.get(0)).isEqualTo(new Entry(new float[] {20, 21}, 3, 30));
        assertThat(new RowCache(4, 1).writeBehind(Long.MAX_VALUE, 10, NO_WRITES)).isZero();
    }

    @Test
    void removeDropsWithoutWriteBackAndFreesTheSlot() throws Exception {
        RowCache cache = new RowCache(3, 1);
        int a = cache.insert(1L, NO_WRITES);
        cache.markDirty(a);
        cache.insert(2L, NO_WRITES);
        cache.insert(3L, NO_WRITES);

        assertThat(cache.remove(1L)).isTrue();
        assertThat(cache.remove(1L)).isFalse();
        assertThat(cache.remove(42L)).isFalse();
        assertThat(cache.contains(1L)).isFalse();
        assertThat(cache.size()).isEqualTo(2);

        int d = cache.insert(4L, NO_WRITES); // reuses the free slot: no eviction
        assertThat(d).isEqualTo(a);
        assertThat(cache.evictions()).isZero();
        assertThat(cache.dirty(d)).isFalse();
        cache.flush(NO_WRITES);
    }

    @Test
    void forEachVisitsLiveEntriesAndMayRemoveThem() throws Exception {
        RowCache cache = new RowCache(8, 1);
        for (long id = 0; id < 8; id++) {
            int s = cache.insert(id, NO_WRITES);
            cache.setLastUpdate(s, id * 10);
        }
        cache.remove(3L);
        List<Long> seen = new ArrayList<>();
        cache.forEach(
                (slot, id) -> {
                    seen.add(id);
                    if (cache.lastUpdate(slot) < 40) { // expiry
                        cache.remove(id);
                    }
                });
        assertThat(seen).containsExactlyInAnyOrder(0L, 1L, 2L, 4L, 5L, 6L, 7L);
        assertThat(cache.size()).isEqualTo(4);
        for (long id = 0; id < 8; id++) {
            assertThat(cache.contains(id)).as("id %d", id).isEqualTo(id >= 4);
        }
    }

    @Test
    void clearDropsEverythingWithoutWriteBack() throws Exception {
        RowCache cache = new RowCache(4, 2);
        for (long id = 0; id < 4; id++) {
            cache.markDirty(cache.insert(id, NO_WRITES));
        }
        cache.find(0L);
        cache.clear();
        assertThat(cache.size()).isZero();
        assertThat(cache.contains(0L)).isFalse();
        cache.flush(NO_WRITES);
        cache.forEach(
                (slot, id) -> {
                    throw new AssertionError("id " + id + " visited after clear()");
                });
        for (long id = 10; id < 14; id++) {
            cache.insert(id, NO_WRITES);
        }
        assertThat(cache.evictions()).isZero();
        assertThat(cache.size()).isEqualTo(4);
        assertThat(cache.hits()).as("statistics survive clear()").isEqualTo(1);
    }

    /**
     * 100k random operations against a model: {@code truth} is what the application last wrote per
     * id, {@code store} plays the keyed state and receives only the sink's writes. At every point,
     * a cached id holds its truth (and a clean one equals the store), and an id that is not cached
     * has its truth in the store. Capacity 96 fills the index to its maximum load (96/128).
     */
    @Test
    void matchesAMapModelUnderRandomOperations() throws Exception {
        runModel(0x5eed_cace_0001L, 96, 300, 100_000);
    }

    @Test
    void matchesAMapModelAtTinyCapacities() throws Exception {
        runModel(0x5eed_cace_0002L, 1, 20, 20_000);
        runModel(0x5eed_cace_0003L, 7, 40, 20_000);
    }

    private static void runModel(long seed, int capacity, int distinctIds, int ops)
            throws Exception {
        Random rnd = new Random(seed);
        int width = 3;
        long[] universe = new long[distinctIds];
        for (int i = 0; i < universe.length; i++) {
            universe[i] = rnd.nextLong();
        }
        universe[0] = 0L;
        universe[1] = -1L;
        universe[2] = Long.MIN_VALUE;
        universe[3] = Long.MAX_VALUE;
        for (int i = 4; i < Math.min(40, distinctIds); i++) {
            universe[i] = i; // small consecutive ids
        }
        RowCache cache = new RowCache(capacity, width);
        Map<Long, Entry> truth = new HashMap<>();
        Map<Long, Entry> store = new HashMap<>();
        long[] writes = new long[1];
        RowCache.EvictionSink sink =
                (id, data, offset, w, count, lastUpdate) -> {
                    Entry e =
                            new Entry(
                                    Arrays.copyOfRange(data, offset, offset + w),
                                    count,
                                    lastUpdate);
                    assertThat(e).as("write of id %d", id).isEqualTo(truth.get(id));
                    assertThat(e)
                            .as("only changed (dirty) entries are written; id %d", id)
                            .isNotEqualTo(store.get(id));
                    store.put(id, e);
                    writes[0]++;
                };

        for (int op = 0; op < ops; op++) {
            long id = universe[rnd.nextInt(universe.length)];
            int kind = rnd.nextInt(1000);
            String what = "op " + op + " (seed " + seed + ") on id " + id;
            if (kind < 550) { // read-modify-write, as the shard applies a gradient
                int slot = cache.find(id);
                if (slot < 0) {
                    slot = cache.insert(id, sink);
                    Entry stored = store.get(id);
                    if (stored != null) {
                        load(cache, slot, stored);
                    }
                }
                assertThat(Entry.of(cache, slot))
                        .as(what)
                        .isEqualTo(truth.getOrDefault(id, new Entry(new float[width], 0, 0)));
                int off = cache.offset(slot);
                for (int i = 0; i < width; i++) {
                    cache.data()[off + i] = rnd.nextFloat();
                }
                cache.setCount(slot, cache.count(slot) + 1);
                cache.setLastUpdate(slot, op);
                cache.markDirty(slot);
                truth.put(id, Entry.of(cache, slot));
            } else if (kind < 800) { // read, as the shard answers a lookup
                int slot = cache.find(id);
                if (slot < 0 && store.containsKey(id)) {
                    slot = cache.insert(id, sink);
                    load(cache, slot, store.get(id));
                }
                if (slot >= 0) {
                    assertThat(Entry.of(cache, slot)).as(what).isEqualTo(truth.get(id));
                } else {
                    assertThat(truth).as(what).doesNotContainKey(id);
                }
            } else if (kind < 830) { // write-behind of entries idle for a while
                cache.writeBehind(op - rnd.nextInt(200), 1 + rnd.nextInt(2 * capacity), sink);
            } else if (kind < 960) { // expiry
                boolean cached = cache.contains(id);
                assertThat(cache.remove(id)).as(what).isEqualTo(cached);
                truth.remove(id);
                store.remove(id);
            } else if (kind < 998) { // checkpoint
                cache.flush(sink);
            } else { // restore: flush, then drop the heap tier
                cache.flush(sink);
                cache.clear();
            }
            assertThat(cache.size()).as(what).isBetween(0, capacity);
            if (op % 10 == 0) {
                checkModel(cache, truth, store, what);
            }
        }
        checkModel(cache, truth, store, "end");
        assertThat(cache.evictions()).isGreaterThan(ops / 100);
        assertThat(cache.dirtyEvictions()).isGreaterThan(ops / 1000);
        System.out.printf(
                "RowCache model test (seed %d, %d ops): %s, %d write-backs, %d ids live%n",
                seed, ops, cache, writes[0], truth.size());
    }

    private static void load(RowCache cache, int slot, Entry e) {
        System.arraycopy(e.data(), 0, cache.data(), cache.offset(slot), e.data().length);
        cache.setCount(slot, e.count());
        cache.setLastUpdate(slot, e.lastUpdate());
    }

    private static void checkModel(
            RowCache cache, Map<Long, Entry> truth, Map<Long, Entry> store, String what)
            throws Exception {
        Set<Long> cached = new HashSet<>();
        cache.forEach(
                (slot, id) -> {
                    assertThat(cached.add(id)).as("%s: id %d cached twice", what, id).isTrue();
                    assertThat(cache.contains(id)).as("%s: index lost id %d", what, id).isTrue();
                    assertThat(cache.id(slot)).isEqualTo(id);
                    Entry e = Entry.of(cache, slot);
                    assertThat(e).as("%s: cached id %d", what, id).isEqualTo(truth.get(id));
                    if (!cache.dirty(slot)) {
                        assertThat(store.get(id))
                                .as("%s: clean id %d equals the store", what, id)
                                .isEqualTo(e);
                    }
                });
        assertThat(cached).as(what).hasSize(cache.size());
        for (Map.Entry<Long, Entry> t : truth.entrySet()) {
            if (!cached.contains(t.getKey())) {
                assertThat(cache.contains(t.getKey())).as(what).isFalse();
                assertThat(store.get(t.getKey()))
                        .as("%s: evicted id %d is in the store", what, t.getKey())
                        .isEqualTo(t.getValue());
            }
        }
        assertThat(truth.keySet()).as(what).containsAll(store.keySet());
    }
}

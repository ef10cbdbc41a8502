package io.freshrank.jobs.replay;

import java.util.ArrayList;
import java.util.List;

/**
 * Merges sources that are each in original-time order into one: the earliest head first, ties by
 * source index. Closing closes every source.
 */
final class MergedSource implements RequestSource {
    private final List<RequestSource> sources;
    private final ShownRequest[] heads;
    private final boolean[] done;

    MergedSource(List<RequestSource> sources) {
        this.sources = new ArrayList<>(sources);
        this.heads = new ShownRequest[sources.size()];
        this.done = new boolean[sources.size()];
    }

    @Override
    public ShownRequest next() {
        int best = -1;
        for (int i = 0; i < heads.length; i++) {
            if (heads[i] == null && !done[i]) {
                heads[i] = sources.get(i).next();
                done[i] = heads[i] == null;
            }
            if (heads[i] != null
                    && (best < 0 || heads[i].originalTimeMs() < heads[best].originalTimeMs())) {
                best = i;
            }
        }
        if (best < 0) {
            return null;
        }
        ShownRequest r = heads[best];
        heads[best] = null;
        return r;
    }

    @Override
    public RowSkips skips() {
        RowSkips all = new RowSkips();
        for (RequestSource s : sources) {
            all.addAll(s.skips());
        }
        return all;
    }

    @Override
    public void close() {
        RuntimeException first = null;
        for (RequestSource s : sources) {
            try {
                s.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }
}

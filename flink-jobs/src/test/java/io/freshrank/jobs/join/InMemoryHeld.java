package io.freshrank.jobs.join;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;

/** {@link ListAssembler.Held} on a map, for tests of the grouping logic without Flink. */
final class InMemoryHeld implements ListAssembler.Held {
    private final Map<String, ListInput> byId = new LinkedHashMap<>();

    @Override
    public boolean contains(String exampleId) {
        return byId.containsKey(exampleId);
    }

    @Override
    public void put(ListInput candidate) {
        byId.put(candidate.exampleId, candidate);
    }

    @Override
    public void remove(String exampleId) {
        byId.remove(exampleId);
    }

    @Override
    public Iterable<ListInput> all() {
        return new ArrayList<>(byId.values());
    }

    int size() {
        return byId.size();
    }
}

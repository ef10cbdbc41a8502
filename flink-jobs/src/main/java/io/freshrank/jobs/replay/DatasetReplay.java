package io.freshrank.jobs.replay;

/**
 * A public click log replayed as Freshrank events (see the package doc for the contract shared by
 * every reader). Each call of {@link #events()} is an independent pass over the file(s) giving the
 * same events; implementations are immutable and may be shared between threads, the iterators they
 * return may not.
 */
public interface DatasetReplay {

    /** The dataset name: {@code mind}, {@code openbandit}, {@code criteo}, {@code avazu}, ... */
    String name();

    /**
     * Classpath resource of the feature spec whose slot names the events use (e.g. {@code
     * io/freshrank/features/mind.spec.json}), or null when the caller supplies the spec (a generic
     * CSV).
     */
    String specResource();

    /** A new pass over the replay, in event-time order. */
    ReplayIterator events();

    /**
     * What the replay contains, counted by a full pass (computed once, then cached by the readers
     * of this package).
     */
    ReplayStats expected();
}

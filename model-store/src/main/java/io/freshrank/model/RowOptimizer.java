package io.freshrank.model;

/**
 * An optimizer for one parameter vector (typically an embedding row {@code [w, v_0..v_{dim-1}]})
 * whose per-row state ("slots") is kept by the caller next to the row, as in a training entry.
 *
 * <p>Contract:
 *
 * <ol>
 *   <li>The caller allocates {@link #stateWidth(int) stateWidth(n)} floats of state for a vector of
 *       {@code n} parameters; that is all the state the optimizer ever reads or writes (an update
 *       counter, where needed, is part of it).
 *   <li>When a row is created, the caller initialises the parameters (e.g. {@link RowInitializer})
 *       and then calls {@link #initState} once with them.
 *   <li>For every update, {@link #apply} reads the gradient computed at the current parameters and
 *       updates parameters and state in place.
 * </ol>
 *
 * <p>The state layout of each implementation is documented on it and is part of the persisted
 * training state: a state written by one optimizer (or one layout) must not be read by another.
 * Gradients are applied as given: callers drop non-finite gradients (and clip, see {@link
 * RowClipping}) before calling. Ranges are not checked beyond what array indexing does.
 *
 * <p>Implementations are immutable and thread-safe; all per-row data is in the {@code state} array.
 * The arrays passed in are not guarded: one row must not be updated concurrently.
 */
public interface RowOptimizer extends java.io.Serializable {

    /** Floats of optimizer state for a parameter vector of length {@code n >= 0}. */
    int stateWidth(int n);

    /**
     * Initialises {@code state[sOff .. sOff + stateWidth(n))} for the freshly initialised {@code
     * params[pOff .. pOff + n)}. Does not modify {@code params}.
     */
    void initState(float[] params, int pOff, float[] state, int sOff, int n);

    /**
     * One update of {@code params[pOff .. pOff + n)} and its state {@code state[sOff .. sOff +
     * stateWidth(n))} with the gradient {@code grad[gOff .. gOff + n)} (not modified).
     */
    void apply(float[] params, int pOff, float[] state, int sOff, float[] grad, int gOff, int n);

    /** The optimizer's type name, as accepted by {@link RowOptimizers#create}. */
    String name();
}

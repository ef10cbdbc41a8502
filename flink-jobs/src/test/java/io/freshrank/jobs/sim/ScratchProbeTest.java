package io.freshrank.jobs.sim;

import org.junit.jupiter.api.Test;

class ScratchProbeTest {
    @Test
    void probe() {
        for (double base : new double[] {-1.45, -1.4}) {
        for (long seed = 1; seed <= 6; seed++) {
            System.out.println("base " + base + " seed " + seed + ": " + TrafficSimulator.measure(TrafficSimulator.generate(SimulatorConfig.builder().baseLogit(base).seed(seed).build(), 5000)));
        }
        }
    }
}

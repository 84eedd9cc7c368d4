package io.relustream.benchmarks;

import io.relustream.activation.Activations;
import io.relustream.stats.ActivationSample;
import io.relustream.stats.ActivationStatsAccumulator;
import io.relustream.stats.ActivationStatsAccumulatorSerializer;

import org.apache.flink.core.memory.DataOutputSerializer;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The size of the window statistics: serialized state per group and window against the number of
 * features, and the heap while one window takes a million records (it must stay flat: the state is
 * O(features), never a buffer of records).
 */
final class MemoryHarness {

    /** Serialized bytes of one (group, window) state after {@code records} records, by d. */
    static Map<Integer, Integer> stateBytes(int[] dimensions, int records) throws IOException {
        Map<Integer, Integer> sizes = new LinkedHashMap<>();
        for (int d : dimensions) {
            ActivationStatsAccumulator accumulator = new ActivationStatsAccumulator();
            ActivationSample[] pool = samples(256, d);
            for (int r = 0; r < records; r++) {
                accumulator.add(pool[r % pool.length]);
            }
            DataOutputSerializer out = new DataOutputSerializer(1024);
            ActivationStatsAccumulatorSerializer.INSTANCE.serialize(accumulator, out);
            sizes.put(d, out.length());
        }
        return sizes;
    }

    /**
     * Heap in use after a full collection while one accumulator (one window) takes {@code records}
     * records of 64 features, sampled at each quarter: bytes by records taken.
     */
    static Map<Integer, Long> heapWhileOneWindowFills(int records) {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        ActivationSample[] pool = samples(1024, 64);
        ActivationStatsAccumulator accumulator = new ActivationStatsAccumulator();
        Map<Integer, Long> heap = new LinkedHashMap<>();
        heap.put(0, usedAfterGc(memory));
        for (int r = 1; r <= records; r++) {
            accumulator.add(pool[r % pool.length]);
            if (r % (records / 4) == 0) {
                heap.put(r, usedAfterGc(memory));
            }
        }
        if (accumulator.recordCount() != records) {
            throw new IllegalStateException("Lost records: " + accumulator.recordCount());
        }
        return heap;
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        System.gc();
        return memory.getHeapMemoryUsage().getUsed();
    }

    private static ActivationSample[] samples(int count, int dimensions) {
        SplittableRandom random = new SplittableRandom(4);
        List<ActivationSample> samples = new ArrayList<>();
        for (int s = 0; s < count; s++) {
            double[] in = new double[dimensions];
            for (int i = 0; i < dimensions; i++) {
                in[i] = random.nextDouble(-1.0, 1.0);
            }
            double[] out = new double[dimensions];
            Activations.relu().apply(in, out);
            samples.add(ActivationSample.of("r" + s, s, "g", in, out, 0.0));
        }
        return samples.toArray(new ActivationSample[0]);
    }

    private MemoryHarness() {}
}

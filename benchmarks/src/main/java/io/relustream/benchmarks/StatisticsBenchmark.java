package io.relustream.benchmarks;

import io.relustream.activation.Activations;
import io.relustream.stats.ActivationSample;
import io.relustream.stats.ActivationStatsAccumulator;

import org.apache.datasketches.kll.KllDoublesSketch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/** The window statistics' update per record, whole and in parts, at 64 features. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class StatisticsBenchmark {

    @Param({"64"})
    public int dimensions;

    private static final int SAMPLES = 1024;

    private ActivationSample[] samples;
    private int next;
    private ActivationStatsAccumulator accumulator;
    private KllDoublesSketch sketch;
    private long[] featureZeros;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(2);
        samples = new ActivationSample[SAMPLES];
        for (int s = 0; s < SAMPLES; s++) {
            double[] in = new double[dimensions];
            for (int i = 0; i < dimensions; i++) {
                in[i] = random.nextDouble(-1.0, 1.0);
            }
            double[] out = new double[dimensions];
            Activations.relu().apply(in, out);
            samples[s] = ActivationSample.of("r" + s, s, "g", in, out, 0.0);
        }
        accumulator = new ActivationStatsAccumulator();
        sketch = KllDoublesSketch.newHeapInstance(ActivationStatsAccumulator.SKETCH_K);
        featureZeros = new long[dimensions];
    }

    private ActivationSample nextSample() {
        ActivationSample sample = samples[next];
        next = (next + 1) & (SAMPLES - 1);
        return sample;
    }

    /** The whole update: counts, moments, per-feature counts, the quantile sketch. */
    @Benchmark
    public ActivationStatsAccumulator accumulator() {
        accumulator.add(nextSample());
        return accumulator;
    }

    @Benchmark
    public long zeroAndPerFeatureCounts() {
        double[] activations = nextSample().activations;
        long zeros = 0;
        for (int i = 0; i < activations.length; i++) {
            long zero = activations[i] == 0.0 ? 1 : 0;
            zeros += zero;
            featureZeros[i] += zero;
        }
        return zeros;
    }

    /**
     * The sketch fed all 64 outputs, zeros included: more than its share of {@link #accumulator},
     * which counts the zeros and sketches only the other outputs (about half of relu's).
     */
    @Benchmark
    public KllDoublesSketch quantileSketch() {
        double[] activations = nextSample().activations;
        for (double value : activations) {
            sketch.update(value);
        }
        return sketch;
    }
}

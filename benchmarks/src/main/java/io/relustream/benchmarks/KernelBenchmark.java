package io.relustream.benchmarks;

import io.relustream.activation.Activation;
import io.relustream.activation.Activations;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Activation plus derivative from one array into two, against what bounds it: two plain array
 * copies of the same sizes (the memory floor), the branchy loop one writes by hand, and a boxed
 * stream over a {@code List<Double>} (what one writes first). The same into new arrays, as an
 * operator writes every record, against two new copies. Inputs are half negative, at random, as
 * activations are.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class KernelBenchmark {

    @Param({"16", "64", "256", "1024", "65536"})
    public int dimensions;

    private final Activation relu = Activations.relu();
    private final Activation leaky = Activations.leakyRelu(0.01);

    private double[] in;
    private double[] out;
    private double[] derivatives;
    private float[] floatIn;
    private float[] floatOut;
    private float[] floatDerivatives;
    private List<Double> boxed;

    @Setup
    public void setUp() {
        SplittableRandom random = new SplittableRandom(1);
        in = new double[dimensions];
        floatIn = new float[dimensions];
        boxed = new ArrayList<>(dimensions);
        for (int i = 0; i < dimensions; i++) {
            in[i] = random.nextDouble(-1.0, 1.0);
            floatIn[i] = (float) in[i];
            boxed.add(in[i]);
        }
        out = new double[dimensions];
        derivatives = new double[dimensions];
        floatOut = new float[dimensions];
        floatDerivatives = new float[dimensions];
    }

    @Benchmark
    public double[] relu() {
        relu.applyWithDerivative(in, out, derivatives);
        return derivatives;
    }

    @Benchmark
    public double[] leakyRelu() {
        leaky.applyWithDerivative(in, out, derivatives);
        return derivatives;
    }

    @Benchmark
    public float[] reluFloat() {
        relu.applyWithDerivative(floatIn, floatOut, floatDerivatives);
        return floatDerivatives;
    }

    /**
     * As an operator runs it: the outputs are new arrays for every record, so the cost includes
     * allocating them and writing memory that is not in the cache yet.
     */
    @Benchmark
    public double[] reluIntoNewArrays(Blackhole blackhole) {
        double[] activations = new double[dimensions];
        double[] newDerivatives = new double[dimensions];
        relu.applyWithDerivative(in, activations, newDerivatives);
        blackhole.consume(activations);
        return newDerivatives;
    }

    /** The floor of {@link #reluIntoNewArrays}: two new arrays of the same size, copied. */
    @Benchmark
    public double[] baselineTwoNewCopies(Blackhole blackhole) {
        blackhole.consume(in.clone());
        return in.clone();
    }

    /** The memory floor: the same reads and writes, no arithmetic. */
    @Benchmark
    public double[] baselineTwoArrayCopies() {
        System.arraycopy(in, 0, out, 0, dimensions);
        System.arraycopy(in, 0, derivatives, 0, dimensions);
        return derivatives;
    }

    @Benchmark
    public float[] baselineTwoArrayCopiesFloat() {
        System.arraycopy(floatIn, 0, floatOut, 0, dimensions);
        System.arraycopy(floatIn, 0, floatDerivatives, 0, dimensions);
        return floatDerivatives;
    }

    /** What one writes by hand: a branch per value (which also gets NaN wrong). */
    @Benchmark
    public double[] baselineBranchyLoop() {
        for (int i = 0; i < dimensions; i++) {
            double z = in[i];
            out[i] = z > 0 ? z : 0.0;
            derivatives[i] = z > 0 ? 1.0 : 0.0;
        }
        return derivatives;
    }

    /** What one writes first: boxed values through streams. */
    @Benchmark
    public void baselineBoxedStream(Blackhole blackhole) {
        blackhole.consume(boxed.stream().map(z -> Math.max(z, 0.0)).collect(Collectors.toList()));
        blackhole.consume(boxed.stream().map(z -> z > 0 ? 1.0 : 0.0).collect(Collectors.toList()));
    }
}

package io.relustream.activation;

/**
 * Builds the general rectifier, the Keras-style {@code relu(negative_slope, max_value, threshold)}
 * with a configurable gradient at the threshold.
 *
 * <pre>{@code
 * Rectifier r = Activations.rectifier()
 *         .negativeSlope(0.1)
 *         .maxValue(6)
 *         .threshold(0.5)
 *         .build();
 * r.spec();   // "relu(negative_slope=0.1, max_value=6, threshold=0.5)"
 * }</pre>
 *
 * <p>{@link #build()} checks every parameter and names the first bad one with its value.
 */
public final class RectifierBuilder {

    private double negativeSlope = 0.0;
    private double maxValue = Double.POSITIVE_INFINITY;
    private double threshold = 0.0;
    private Double gradientAtThreshold;

    RectifierBuilder() {}

    /** Slope below the threshold: finite, {@code >= 0}. Default 0. */
    public RectifierBuilder negativeSlope(double negativeSlope) {
        this.negativeSlope = negativeSlope;
        return this;
    }

    /** The cap: greater than the threshold; {@code +inf} for none (the default). */
    public RectifierBuilder maxValue(double maxValue) {
        this.maxValue = maxValue;
        return this;
    }

    /** Where the rectifier bends: finite. Default 0. */
    public RectifierBuilder threshold(double threshold) {
        this.threshold = threshold;
        return this;
    }

    /** The derivative used exactly at the threshold: finite. Default: the negative slope. */
    public RectifierBuilder gradientAtThreshold(double gradientAtThreshold) {
        this.gradientAtThreshold = gradientAtThreshold;
        return this;
    }

    /**
     * @throws IllegalArgumentException naming the first parameter that is out of range
     */
    public Rectifier build() {
        Activations.requireSlope("negative_slope", negativeSlope);
        Activations.requireFinite("threshold", threshold);
        if (Double.isNaN(maxValue)) {
            throw Activations.invalid(
                    "max_value",
                    "NaN",
                    "must be a number greater than threshold ("
                            + Activations.format(threshold)
                            + "), or inf for no cap (NaN is not allowed)");
        }
        if (!(maxValue > threshold)) {
            throw Activations.invalid(
                    "max_value",
                    Activations.format(maxValue),
                    Activations.maxValueRange(threshold));
        }
        double gradient = gradientAtThreshold == null ? negativeSlope : gradientAtThreshold;
        Activations.requireFinite("grad_at_threshold", gradient);
        return new Rectifier(negativeSlope, maxValue, threshold, gradient, Rectifier.Form.GENERAL);
    }
}

package io.relustream.activation;

/** Argument checks shared by the batch kernels. */
final class Lengths {

    private Lengths() {}

    static void requireSame(int inputLength, int outputLength) {
        requireSame(inputLength, outputLength, "Output");
    }

    /** As {@link #requireSame(int, int)}, naming the array, e.g. {@code Derivative}. */
    static void requireSame(int inputLength, int outputLength, String array) {
        if (inputLength != outputLength) {
            throw new IllegalArgumentException(
                    array
                            + " array has length "
                            + outputLength
                            + " but the input has length "
                            + inputLength
                            + "; they must be equal");
        }
    }

    /**
     * Refuses one array for both the outputs and the derivatives: whichever pass wrote last would
     * leave the other's values overwritten. Either may be the input itself.
     */
    static void requireDistinct(Object out, Object derivatives) {
        if (out == derivatives) {
            throw new IllegalArgumentException(
                    "The output and the derivative arrays are the same array: the derivatives"
                            + " would overwrite the outputs; give each its own (either may be the"
                            + " input)");
        }
    }
}
